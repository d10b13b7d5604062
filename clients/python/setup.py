"""Build hook: generates docanalysis/v1/docanalysis_pb2{,_grpc}.py (+ .pyi) from the contract with grpcio-tools.

The contract lives at <repo>/protos; an sdist carries a copy under protos/ so that it builds on its own.
Nothing generated is committed.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join("docanalysis", "v1", "docanalysis.proto")


def proto_root():
    candidates = [os.environ.get("DOCANALYSIS_PROTO_DIR", ""),
                  os.path.join(HERE, "protos"),
                  os.path.join(HERE, "..", "..", "protos")]
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, PROTO)):
            return os.path.abspath(c)
    raise RuntimeError("docanalysis.proto not found; looked in: " + ", ".join(c for c in candidates if c))


def generate(out_dir):
    from grpc_tools import protoc  # build requirement (pyproject.toml)
    import grpc_tools

    root = proto_root()
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    os.makedirs(os.path.join(out_dir, "docanalysis", "v1"), exist_ok=True)
    args = ["grpc_tools.protoc", f"-I{root}", f"-I{well_known}", f"--python_out={out_dir}",
            f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}", os.path.join(root, PROTO)]
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed on " + os.path.join(root, PROTO))
    init = os.path.join(out_dir, "docanalysis", "v1", "__init__.py")
    with open(init, "w") as f:
        f.write('"""Generated from protos/docanalysis/v1/docanalysis.proto at build time."""\n')
    # Ship the contract itself too, for users who want to generate their own code or use reflection-less tools.
    dest = os.path.join(out_dir, "docanalysis", "protos", "docanalysis", "v1")
    os.makedirs(dest, exist_ok=True)
    shutil.copy(os.path.join(root, PROTO), dest)


class BuildPyWithProtos(build_py):
    def run(self):
        super().run()
        generate(self.build_lib)

    def get_outputs(self, include_bytecode=1):
        return super().get_outputs(include_bytecode)


class SdistWithProtos(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        dest = os.path.join(base_dir, "protos", "docanalysis", "v1")
        os.makedirs(dest, exist_ok=True)
        shutil.copy(os.path.join(proto_root(), PROTO), dest)


setup(cmdclass={"build_py": BuildPyWithProtos, "sdist": SdistWithProtos})
