"""The command line: `python -m docanalysis analyze FILE --target HOST:PORT` prints the AnalyzeResponse as JSON
(protobuf's JSON mapping with the .proto field names). FILE "-" reads standard input.

    python -m docanalysis analyze article.txt --target localhost:50051 --features entities,summary
    python -m docanalysis plugins --target localhost:50051

Exit status: 0 on success, 1 when the call fails (the server's status and message go to stderr), 2 on usage errors.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional, Union

from google.protobuf import json_format
from google.protobuf.message import Message

from docanalysis.client import Client
from docanalysis.errors import DocanalysisError


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def _pem(path: Optional[str]) -> Optional[bytes]:
    return _read(path) if path else None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m docanalysis", description="docanalysis command line client")
    sub = p.add_subparsers(dest="command", required=True)

    def connection(sp):
        sp.add_argument("--target", required=True, help="HOST:PORT, dns:///NAME:PORT or ipv4:IP:P1,IP:P2")
        sp.add_argument("--timeout", type=float, default=60.0, help="deadline in seconds (default 60)")
        sp.add_argument("--tls", action="store_true", help="connect with TLS")
        sp.add_argument("--ca-cert", help="PEM file of root certificates (default: system roots)")
        sp.add_argument("--cert", help="client certificate chain (PEM) for mutual TLS")
        sp.add_argument("--key", help="client private key (PEM) for mutual TLS")
        sp.add_argument("--server-name", help="name to verify in the server certificate")
        sp.add_argument("--json", action="store_true", help="print JSON (the default and only output format)")

    a = sub.add_parser("analyze", help="analyze FILE and print the response as JSON")
    a.add_argument("file", help="document to analyze, '-' for standard input")
    connection(a)
    a.add_argument("--features", default="", help="comma-separated features, e.g. entities,sentiment,summary")
    a.add_argument("--encoding", default="utf32", choices=["utf8", "utf16", "utf32"],
                   help="offset unit (default utf32: code points, Python's native string index)")
    a.add_argument("--html", action="store_true", help="the document is HTML")
    a.add_argument("--language", default="", help="BCP-47 language code (default: detect)")
    a.add_argument("--option", action="append", default=[], metavar="PLUGIN.KEY=VALUE",
                   help="per-plugin option, repeatable, e.g. summary.max_sentences=2")
    a.add_argument("--id", default="", help="document id echoed in the response")
    sub_p = sub.add_parser("plugins", help="list the server's plugins as JSON")
    connection(sub_p)
    return p


def _client(args) -> Client:
    return Client(args.target, timeout=args.timeout, tls=args.tls or bool(args.ca_cert or args.cert),
                  root_certificates=_pem(args.ca_cert), private_key=_pem(args.key),
                  certificate_chain=_pem(args.cert), server_name=args.server_name)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with _client(args) as client:
            message: Message
            if args.command == "plugins":
                message = client.list_plugins()
            else:
                data = _read(args.file)
                document: Union[str, bytes]
                try:
                    document = data.decode("utf-8")  # offsets then count over this str
                except UnicodeDecodeError:
                    document = data  # let the server say where the bad byte is
                options = {}
                for item in args.option:
                    key, sep, value = item.partition("=")
                    if not sep:
                        print(f"docanalysis: --option wants PLUGIN.KEY=VALUE, got {item!r}", file=sys.stderr)
                        return 2
                    options[key] = value
                features = [f.strip() for f in args.features.split(",") if f.strip()]
                message = client.analyze(document, features=features, encoding=args.encoding, html=args.html,
                                         language=args.language, options=options, document_id=args.id)
    except DocanalysisError as e:
        print(f"docanalysis: {e.code.name}: {e.message}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"docanalysis: {e}", file=sys.stderr)
        return 2
    out = json_format.MessageToDict(message, preserving_proto_field_name=True)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
