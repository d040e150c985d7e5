"""Generates the gateway's OpenAPI (Swagger 2.0) document from the protos' `google.api.http`
annotations with grpc-gateway's protoc-gen-swagger (run by `make openapi`).

protoc compiles the protos into descriptors; the plugin (Debian's golang-grpc-gateway,
/usr/bin/protoc-gen-swagger) gets them as a CodeGeneratorRequest on stdin, one document per
service file comes back (one run per file: it takes one Go package per run), and the
documents are merged into one. The request is built here
rather than by `protoc --swagger_out` because protoc refuses plugins that do not declare
proto3 `optional` support, which this 2018 plugin predates; it reads such a field as the
plain field it is on the wire.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import grpc_tools
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "services" / "gateway" / "openapi" / "maitred.swagger.json"
# Debian's golang-grpc-gateway puts it on the PATH (.ci/run installs it).
PLUGIN = shutil.which("protoc-gen-swagger") or "/usr/bin/protoc-gen-swagger"
TITLE = "maitred HTTP/JSON API"


def descriptors(sources: list[str]) -> descriptor_pb2.FileDescriptorSet:
    """Every file the sources need, dependencies first, with their comments."""
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "set.pb"
        args = [
            "protoc",
            f"-I{PROTOS}",
            f"-I{well_known}",
            f"--descriptor_set_out={out}",
            "--include_imports",
            "--include_source_info",
            *sources,
        ]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def run_plugin(files: descriptor_pb2.FileDescriptorSet, target: str) -> dict[str, Any]:
    """The plugin's document for one service file (it takes one Go package per run)."""
    request = plugin_pb2.CodeGeneratorRequest(
        file_to_generate=[target], parameter="json_names_for_fields=true", proto_file=files.file
    )
    done = subprocess.run(
        [PLUGIN], input=request.SerializeToString(), capture_output=True, check=True
    )
    response = plugin_pb2.CodeGeneratorResponse.FromString(done.stdout)
    if response.error:
        raise SystemExit(f"protoc-gen-swagger: {response.error}")
    (generated,) = response.file
    document: dict[str, Any] = json.loads(generated.content)
    return document


def generate(files: descriptor_pb2.FileDescriptorSet, targets: list[str]) -> dict[str, Any]:
    """One document for every service file: their paths and definitions together."""
    merged: dict[str, Any] = {"info": {"title": TITLE, "version": "v1"}}
    for target in targets:
        document = run_plugin(files, target)
        for key, value in document.items():
            if key == "info":
                continue
            if not isinstance(value, dict):  # swagger, schemes, consumes: the same in each
                merged.setdefault(key, value)
                continue
            section = merged.setdefault(key, {})  # paths, definitions, x-stream-definitions
            for name, item in value.items():
                if section.get(name, item) != item:
                    raise SystemExit(f"{target}: {key} {name} differs from another file's")
                section[name] = item
    return merged


def main() -> int:
    sources = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "maitred").rglob("*.proto"))
    files = descriptors(sources)
    targets = [f.name for f in files.file if f.name in sources and f.service]
    document = generate(files, targets)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(document.get('paths', {}))} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
