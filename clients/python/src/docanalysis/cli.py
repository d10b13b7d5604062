"""The command line, with the contract every client's CLI follows (clients/README.md):

    docanalysis-python analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
                       [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F]
                       [--tls-cert F --tls-key F] [--json]
    docanalysis-python plugins --target HOST:PORT [--timeout SECONDS] [--tls-ca F] [--tls-cert F --tls-key F]

The response is printed in protobuf's canonical JSON mapping (lowerCamelCase names, enums by name, int64 as
strings, default values left out): one pretty-printed document for one FILE, one compact line per FILE for
several. FILE "-" reads standard input. Offsets default to utf32 (code points, Python's str index).

Exit status: 0 all is well; 2 usage error (one line on stderr); 3 the call failed (status code name and message
on stderr); 4 the call succeeded but a plugin run or a document failed (the JSON is still printed).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, NoReturn, Optional, Union

from google.protobuf import json_format
from google.protobuf.message import Message

from docanalysis.client import Client
from docanalysis.errors import DocanalysisError, failed_plugin_runs

EXIT_OK, EXIT_USAGE, EXIT_CALL_FAILED, EXIT_PARTIAL = 0, 2, 3, 4


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse prints the whole usage)
        raise UsageError(message)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def _seconds(value: str) -> float:
    try:
        s = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--timeout wants seconds, got {value!r}") from None
    if not s > 0 or s != s or s == float("inf"):
        raise argparse.ArgumentTypeError(f"--timeout wants a positive number of seconds, got {value!r}")
    return s


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="docanalysis-python", description="docanalysis command line client")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def connection(sp):
        sp.add_argument("--target", required=True, help="HOST:PORT, dns:///NAME:PORT or ipv4:IP:P1,IP:P2")
        sp.add_argument("--timeout", type=_seconds, default=None, help="deadline of each call in seconds (default none)")
        sp.add_argument("--tls", action="store_true", help="connect with TLS (system roots unless --tls-ca)")
        sp.add_argument("--tls-ca", "--ca-cert", dest="tls_ca", help="PEM file of root certificates (implies TLS)")
        sp.add_argument("--tls-cert", "--cert", dest="tls_cert", help="client certificate chain (PEM), mutual TLS")
        sp.add_argument("--tls-key", "--key", dest="tls_key", help="client private key (PEM), mutual TLS")
        sp.add_argument("--server-name", help="name to verify in the server certificate")
        sp.add_argument("--json", action="store_true", help="print canonical JSON (the default and only format)")

    a = sub.add_parser("analyze", help="analyze FILE... and print the responses as JSON")
    a.add_argument("files", nargs="+", metavar="FILE", help="document to analyze, '-' for standard input")
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
    if bool(args.tls_cert) != bool(args.tls_key):
        raise UsageError("--tls-cert and --tls-key go together")
    try:
        pems = {k: _read(v) if v else None for k, v in
                (("ca", args.tls_ca), ("cert", args.tls_cert), ("key", args.tls_key))}
    except OSError as e:
        raise UsageError(f"cannot read {e.filename}: {e.strerror}") from None
    return Client(args.target, timeout=args.timeout, tls=args.tls or any(pems.values()),
                  root_certificates=pems["ca"], private_key=pems["key"], certificate_chain=pems["cert"],
                  server_name=args.server_name)


def to_json(message: Message) -> Dict[str, Any]:
    """The message in protobuf's canonical JSON mapping."""
    return json_format.MessageToDict(message)


def _print(obj: Dict[str, Any], pretty: bool) -> None:
    if pretty:
        json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    else:
        json.dump(obj, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")
    sys.stdout.flush()


def _run(args) -> int:
    if args.command == "plugins":
        with _client(args) as client:
            _print(to_json(client.list_plugins()), True)
        return EXIT_OK
    options = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--option wants PLUGIN.KEY=VALUE, got {item!r}")
        options[key] = value
    documents: List[Union[str, bytes]] = []
    for path in args.files:
        try:
            data = _read(path)
        except OSError as e:
            raise UsageError(f"cannot read {path}: {e.strerror}") from None
        try:
            documents.append(data.decode("utf-8"))  # offsets then count over this str
        except UnicodeDecodeError:
            documents.append(data)  # the server says where the bad byte is
    features = [f.strip() for f in args.features.split(",") if f.strip()]
    status = EXIT_OK
    with _client(args) as client:
        for document in documents:
            response = client.analyze(document, features=features, encoding=args.encoding, html=args.html,
                                      language=args.language, options=options, document_id=args.id)
            _print(to_json(response), len(documents) == 1)
            for run in failed_plugin_runs(response):
                print(f"docanalysis-python: plugin {run.plugin} failed: {run.code}: {run.message}", file=sys.stderr)
                status = EXIT_PARTIAL
    return status


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except UsageError as e:
        print(f"docanalysis-python: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DocanalysisError as e:
        print(f"docanalysis-python: {e.code.name}: {e.message}", file=sys.stderr)
        return EXIT_CALL_FAILED


if __name__ == "__main__":
    sys.exit(main())
