#!/usr/bin/python3
"""Evaluates the summary feature of a running docanalysis server on the CNN/DM subset.

Sends every article through DocumentAnalysis.Analyze (features ["summary"], "summary.max_sentences" = 3 unless
overridden), scores the returned summary with tools/eval/rouge.py, and scores Lead-3 read off the response's own
`sentences` list, for the tuning half (articles 0-124), the held-out half (125-249) and all of them.

    # against a server that is already listening
    /usr/bin/python3 tools/eval/summary_server_eval.py --target 127.0.0.1:50051
    # or start one (port 0), evaluate, and stop it
    /usr/bin/python3 tools/eval/summary_server_eval.py --server <build>/service/docanalysis-server \\
        --plugin_dir <build>/plugins
    options: --data FILE (default ../shared/eval/summary/cnndm_frank_test.jsonl next to the checkout),
             --option summary.key=value (repeatable), --workers N, --limit N, --json

Python stubs are generated at run time from protos/ into a temporary folder, with grpc_tools when it is installed,
otherwise with protoc and Debian's /usr/bin/grpc_python_plugin. Needs Debian's python3-grpcio, python3-protobuf,
protobuf-compiler-grpc and python3-nltk.
"""
import argparse
import glob
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import rouge  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "testing"))
from server_process import ServerProcess  # noqa: E402  (the shared server launcher)

KEYS = ("R1", "R2", "RLsum")


def generate_stubs(out_dir):
    """Compiles protos/**/*.proto to Python modules in out_dir; returns the docanalysis.v1 pb2 and pb2_grpc modules."""
    proto_root = os.path.join(ROOT, "protos")
    protos = [os.path.relpath(p, proto_root)
              for p in sorted(glob.glob(os.path.join(proto_root, "**", "*.proto"), recursive=True))]
    if not protos:
        raise SystemExit(f"no .proto files under {proto_root}")
    includes = [f"-I{proto_root}"] + [f"-I{d}" for d in ("/usr/include",) if os.path.isdir(d)]
    try:
        from grpc_tools import protoc  # pip grpcio-tools, when present
        args = ["protoc"] + includes + [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"] + protos
        cwd = os.getcwd()
        os.chdir(proto_root)
        try:
            code = protoc.main(args)
        finally:
            os.chdir(cwd)
        if code != 0:
            raise SystemExit("grpc_tools.protoc failed")
    except ImportError:
        plugin = shutil.which("grpc_python_plugin") or "/usr/bin/grpc_python_plugin"
        if not os.path.exists(plugin) or not shutil.which("protoc"):
            raise SystemExit("need protoc and grpc_python_plugin: apt-get install protobuf-compiler-grpc")
        cmd = (["protoc"] + includes + [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
                                        f"--plugin=protoc-gen-grpc_python={plugin}"] + protos)
        r = subprocess.run(cmd, cwd=proto_root, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("protoc failed: " + r.stderr)
    sys.path.insert(0, out_dir)
    for path in sorted(glob.glob(os.path.join(out_dir, "**", "*_pb2_grpc.py"), recursive=True)):
        name = os.path.relpath(path, out_dir)[:-3].replace(os.sep, ".")
        grpc_mod = importlib.import_module(name)
        if hasattr(grpc_mod, "DocumentAnalysisStub"):
            return importlib.import_module(name[:-len("_grpc")]), grpc_mod
    raise SystemExit("no DocumentAnalysis service in the generated stubs")


def default_data():
    return os.path.join(os.path.dirname(ROOT), "shared", "eval", "summary", "cnndm_frank_test.jsonl")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", help="HOST:PORT of a running server")
    ap.add_argument("--server", help="docanalysis-server binary to start (with --plugin_dir)")
    ap.add_argument("--plugin_dir", help="plugin folder for --server")
    ap.add_argument("--data", default=default_data())
    ap.add_argument("--option", action="append", default=[], help="request option, e.g. summary.max_sentences=3")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--split", type=int, default=125, help="first article of the held-out half")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.target and not (args.server and args.plugin_dir):
        ap.error("give --target, or --server and --plugin_dir")

    import grpc  # Debian: python3-grpcio
    scorer = rouge.Scorer()
    records = [json.loads(line) for line in open(args.data, encoding="utf-8") if line.strip()]
    if args.limit:
        records = records[:args.limit]
    options = {"summary.max_sentences": "3"}
    for kv in args.option:
        k, _, v = kv.partition("=")
        options[k] = v

    stub_dir = tempfile.mkdtemp(prefix="docanalysis-eval-stubs-")
    server = None
    try:
        pb, pb_grpc = generate_stubs(stub_dir)
        if not args.target:
            server = ServerProcess(args.server, args.plugin_dir)
        target = args.target or server.target
        channel = grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0),
                                                         ("grpc.max_receive_message_length", 64 << 20)])
        grpc.channel_ready_future(channel).result(timeout=15)
        stub = pb_grpc.DocumentAnalysisStub(channel)

        def analyze(record):
            req = pb.AnalyzeRequest()
            req.document.id = record.get("id", "")
            req.document.content = record["article"]
            req.features.append("summary")
            for k, v in options.items():
                req.options[k] = v
            for attempt in range(3):
                try:
                    return stub.Analyze(req, timeout=60)
                except grpc.RpcError as e:
                    if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or attempt == 2:
                        raise
                    time.sleep(0.2 * (attempt + 1))

        start = time.time()
        with ThreadPoolExecutor(max(1, args.workers)) as pool:
            responses = list(pool.map(analyze, records))
        elapsed = time.time() - start
        channel.close()
    finally:
        if server:
            server.stop()
        shutil.rmtree(stub_dir, ignore_errors=True)

    rows = []
    for record, resp in zip(records, responses):
        ref = record["reference"]
        ref_sents = rouge.split_reference(ref)
        summary = [s.text.content for s in resp.summary.sentences]
        lead = [s.text.content for s in resp.sentences][:3]
        failed = [r.plugin + ": " + r.message for r in resp.plugin_runs if r.code != 0]
        rows.append({"summary": scorer.score(" ".join(summary), ref, summary, ref_sents),
                     "lead3": scorer.score(" ".join(lead), ref, lead, ref_sents),
                     "sentences": len(summary), "failed": failed})

    def mean(part, field):
        return {k: 100.0 * sum(r[field][k] for r in part) / max(1, len(part)) for k in KEYS}

    result = {"elapsed_s": elapsed, "articles": len(rows),
              "plugin_failures": sum(1 for r in rows if r["failed"])}
    for name, part in (("tune", rows[:args.split]), ("heldout", rows[args.split:]), ("all", rows)):
        result[name] = {"summary": mean(part, "summary"), "lead3": mean(part, "lead3"), "articles": len(part),
                        "sentences_per_doc": sum(r["sentences"] for r in part) / max(1, len(part))}
    if args.json:
        print(json.dumps(result))
        return 0
    for name in ("tune", "heldout", "all"):
        r = result[name]
        print(f"{name:8s} ({r['articles']:3d} articles) summary: "
              + " ".join(f"{k} {r['summary'][k]:.2f}" for k in KEYS) + " | lead-3 (server sentences): "
              + " ".join(f"{k} {r['lead3'][k]:.2f}" for k in KEYS) + f" | {r['sentences_per_doc']:.2f} sentences/doc")
    print(f"{len(rows)} articles in {elapsed:.1f} s through {target}; plugin failures: {result['plugin_failures']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
