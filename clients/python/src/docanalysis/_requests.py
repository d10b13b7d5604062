"""Building AnalyzeRequests from Python values (shared by Client and AsyncClient)."""
from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union, cast

from docanalysis.v1 import docanalysis_pb2 as pb

# What callers may pass as `encoding`: a name ("utf8", "utf16", "utf32", case and dash insensitive) or the enum.
EncodingLike = Union[str, int]
# A document: text (offsets are then counted over this str), raw UTF-8 bytes, or a ready request.
DocumentLike = Union[str, bytes, "pb.AnalyzeRequest"]

_ENCODINGS: "dict[str, pb.EncodingType]" = {"utf8": pb.UTF8, "utf16": pb.UTF16, "utf32": pb.UTF32, "codepoints": pb.UTF32}

#: Code points: offsets slice a Python str directly (text[m.begin_offset:m.end_offset]).
DEFAULT_ENCODING = pb.UTF32


def encoding_value(encoding: EncodingLike) -> "pb.EncodingType":
    """The EncodingType for a name ("utf8", "UTF-16", ...) or an EncodingType value."""
    if isinstance(encoding, str):
        key = encoding.lower().replace("-", "").replace("_", "")
        if key not in _ENCODINGS:
            raise ValueError(f"unknown encoding {encoding!r}; use one of utf8, utf16, utf32")
        return _ENCODINGS[key]
    if encoding not in (pb.ENCODING_UNSPECIFIED, pb.UTF8, pb.UTF16, pb.UTF32):
        raise ValueError(f"unknown encoding value {encoding!r}")
    return cast("pb.EncodingType", int(encoding))


def make_request(document: DocumentLike, *, features: Sequence[str] = (), encoding: EncodingLike = DEFAULT_ENCODING,
                 document_id: str = "", html: bool = False, language: str = "",
                 options: Optional[Mapping[str, str]] = None) -> pb.AnalyzeRequest:
    """An AnalyzeRequest for `document`; a ready AnalyzeRequest is returned as is."""
    if isinstance(document, pb.AnalyzeRequest):
        return document
    doc = pb.Document(id=document_id, type=pb.Document.HTML if html else pb.Document.PLAIN_TEXT, language=language)
    if isinstance(document, str):
        doc.content = document
    elif isinstance(document, (bytes, bytearray, memoryview)):
        doc.raw_content = bytes(document)
    else:
        raise TypeError(f"document must be str, bytes or AnalyzeRequest, not {type(document).__name__}")
    if isinstance(features, str):
        features = [f for f in features.split(",") if f]
    return pb.AnalyzeRequest(document=doc, features=list(features), encoding_type=encoding_value(encoding),
                             options=dict(options or {}))
