"""docanalysis: Python client of the docanalysis gRPC service.

    from docanalysis import Client
    with Client("localhost:50051") as client:
        response = client.analyze("Tim Cook visited Paris.", features=["entities", "sentiment"])
        print([e.name for e in response.entities], response.document_sentiment.score)

Messages are the generated protobuf classes of docanalysis.v1 (re-exported here as `pb`); offsets are code
points by default, so they slice the str you sent.
"""
from docanalysis.v1 import docanalysis_pb2 as pb
from docanalysis._requests import DEFAULT_ENCODING, make_request
from docanalysis.errors import (AuthError, CancelledError, DeadlineExceededError, DocanalysisError,
                                 DocumentFailedError, InvalidRequestError, PluginFailedError, ServerError,
                                 UnavailableError, document_error, failed_documents, failed_plugin_runs,
                                 is_retryable, raise_for_documents, raise_for_plugins)
from docanalysis.client import Client
from docanalysis.aio import AsyncClient

AnalyzeRequest = pb.AnalyzeRequest
AnalyzeResponse = pb.AnalyzeResponse
UTF8, UTF16, UTF32 = pb.UTF8, pb.UTF16, pb.UTF32

__all__ = ["Client", "AsyncClient", "DocanalysisError", "AnalyzeRequest", "AnalyzeResponse", "make_request",
           "pb", "AuthError", "CancelledError", "DeadlineExceededError", "DocumentFailedError",
           "InvalidRequestError", "PluginFailedError", "ServerError", "UnavailableError", "document_error",
           "failed_documents", "failed_plugin_runs", "is_retryable", "raise_for_documents", "raise_for_plugins",
           "UTF8", "UTF16", "UTF32", "DEFAULT_ENCODING"]
__version__ = "1.0.0"
