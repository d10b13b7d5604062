// @docanalysis/client: TypeScript/Node client of the docanalysis gRPC service.
//
//   import { DocanalysisClient } from '@docanalysis/client';
//   const client = new DocanalysisClient('localhost:50051');
//   const text = 'Angela Merkel visited Paris.';
//   const r = await client.analyze(text, { features: ['entities', 'sentiment'] });
//   console.log(r.entities.map((e) => e.name), r.document_sentiment?.score);
//
// Message types are generated from protos/docanalysis/v1/docanalysis.proto (proto-loader-gen-types): `X` is what
// you may send, `X__Output` what you receive.
export { DocanalysisClient, makeRequest, serviceConfig, encodingType } from './client';
export type { ClientOptions, AnalyzeOptions, TlsOptions, Encoding, DocumentInput } from './client';
export {
  DocanalysisError, InvalidRequestError, AuthError, UnavailableError, DeadlineExceededError, CancelledError,
  ServerError, PluginFailedError, DocumentFailedError, RETRYABLE_CODES, isRetryable, errorFor, failedPluginRuns,
  throwIfPluginsFailed, failedDocuments, throwIfDocumentsFailed, documentError,
} from './errors';
export { toProtoJson, toCanonicalJson, jsonName, contract } from './proto';
export { status } from '@grpc/grpc-js';
export type { AnalyzeRequest, AnalyzeRequest__Output } from './generated/docanalysis/v1/AnalyzeRequest';
export type { AnalyzeResponse, AnalyzeResponse__Output } from './generated/docanalysis/v1/AnalyzeResponse';
export type { AnalyzeBatchRequest, AnalyzeBatchRequest__Output } from './generated/docanalysis/v1/AnalyzeBatchRequest';
export type { AnalyzeBatchResponse, AnalyzeBatchResponse__Output } from './generated/docanalysis/v1/AnalyzeBatchResponse';
export type { Annotation, Annotation__Output } from './generated/docanalysis/v1/Annotation';
export type { Document, Document__Output } from './generated/docanalysis/v1/Document';
export type { Entity, Entity__Output } from './generated/docanalysis/v1/Entity';
export type { EntityMention, EntityMention__Output } from './generated/docanalysis/v1/EntityMention';
export { EntityType } from './generated/docanalysis/v1/EntityType';
export { EncodingType } from './generated/docanalysis/v1/EncodingType';
export type { Label, Label__Output } from './generated/docanalysis/v1/Label';
export type { ListPluginsResponse, ListPluginsResponse__Output } from './generated/docanalysis/v1/ListPluginsResponse';
export type { PluginInfo, PluginInfo__Output } from './generated/docanalysis/v1/PluginInfo';
export type { PluginRun, PluginRun__Output } from './generated/docanalysis/v1/PluginRun';
export type { Sentence, Sentence__Output } from './generated/docanalysis/v1/Sentence';
export type { Sentiment, Sentiment__Output } from './generated/docanalysis/v1/Sentiment';
export type { Status, Status__Output } from './generated/docanalysis/v1/Status';
export type { Summary, Summary__Output } from './generated/docanalysis/v1/Summary';
export type { SummarySentence, SummarySentence__Output } from './generated/docanalysis/v1/SummarySentence';
export type { TextSpan, TextSpan__Output } from './generated/docanalysis/v1/TextSpan';
export type { ProtoGrpcType } from './generated/docanalysis';
