// The ES module entry point of @docanalysis/client: the same objects as the CommonJS build (dist/src/index.js),
// so that `import { DocanalysisClient } from '@docanalysis/client'` and `require('@docanalysis/client')` share one
// implementation (and one loaded contract).
import cjs from '../dist/src/index.js';

export const {
  DocanalysisClient, makeRequest, serviceConfig, encodingType,
  DocanalysisError, InvalidRequestError, AuthError, UnavailableError, DeadlineExceededError, CancelledError,
  ServerError, PluginFailedError, DocumentFailedError, RETRYABLE_CODES, isRetryable, errorFor, failedPluginRuns,
  throwIfPluginsFailed, failedDocuments, throwIfDocumentsFailed, documentError,
  toProtoJson, toCanonicalJson, jsonName, contract, status, EntityType, EncodingType,
} = cjs;
export default cjs;
