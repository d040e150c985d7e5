"""Generates the Python stubs of every maitred proto into shared/stubs (run by `make protos`)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "shared" / "stubs"
# Generated modules import each other as `maitred.x.v1`; inside this repository they live
# under `shared.stubs.maitred`, so the imports are rewritten rather than touching sys.path.
IMPORT = re.compile(r"^(from|import) maitred\.", re.MULTILINE)


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    sources = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "maitred").rglob("*.proto"))
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{well_known}",
        f"--python_out={OUT}",
        f"--pyi_out={OUT}",
        f"--grpc_python_out={OUT}",
        *sources,
    ]
    if protoc.main(args) != 0:
        print("protoc failed", file=sys.stderr)
        return 1
    for path in OUT.rglob("*.py*"):
        text = path.read_text()
        path.write_text(IMPORT.sub(r"\1 shared.stubs.maitred.", text))
    for folder in [OUT, *[p for p in OUT.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    (OUT / "__init__.py").write_text('"""Generated gRPC stubs; regenerate with `make protos`."""\n')
    return 0


if __name__ == "__main__":
    sys.exit(main())
