"""Driving yaml-language-server, the YAML validator of VS Code and other editors, over stdio.

The server is given the schema associations an editor's settings would give it, opened each
file as an editor opens a buffer, and answers with each file's diagnostics: what the editor
would underline.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

Diagnostics = dict[str, list[str]]


class LanguageServer:
    """One yaml-language-server process, spoken to in JSON-RPC with LSP's framing."""

    def __init__(self, executable: str) -> None:
        self._process = subprocess.Popen(
            [executable, "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._buffer = b""

    def close(self) -> None:
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def receive(self, wait: float) -> list[dict[str, Any]]:
        """The messages that arrive within ``wait`` seconds (fewer if the server goes quiet)."""
        stdout = self._process.stdout
        assert stdout is not None
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stdout], [], [], 0.1)
            if not ready:
                if messages:
                    break
                continue
            chunk = os.read(stdout.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError("yaml-language-server exited")
            self._buffer += chunk
            while True:
                head, separator, rest = self._buffer.partition(b"\r\n\r\n")
                if not separator:
                    break
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                if len(rest) < length:
                    break
                messages.append(json.loads(rest[:length]))
                self._buffer = rest[length:]
        return messages


def diagnose(executable: str, schemas: dict[Path, list[Path]], timeout: float = 60) -> Diagnostics:
    """The messages the server underlines in each file, by path; ``schemas`` maps each schema
    to the files it validates."""
    files = [file for listed in schemas.values() for file in listed]
    settings = {
        "schemas": {
            schema.as_uri(): [str(f) for f in listed] for schema, listed in schemas.items()
        },
        "validate": True,
        "schemaStore": {"enable": False},
        "format": {"enable": False},
    }
    server = LanguageServer(executable)
    found: dict[str, list[str]] = {}
    try:
        server.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": None,
                    "capabilities": {"workspace": {"configuration": True}},
                },
            }
        )
        deadline = time.monotonic() + timeout
        while len(found) < len(files):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no diagnostics for {len(files) - len(found)} files")
            for message in server.receive(0.5):
                _answer(server, message, settings, files, found)
        while later := server.receive(1.0):  # a file validated again says it last
            for message in later:
                _answer(server, message, settings, files, found)
    finally:
        server.close()
    return {Path(uri.removeprefix("file://")).as_posix(): found[uri] for uri in found}


def _answer(
    server: LanguageServer,
    message: dict[str, Any],
    settings: dict[str, Any],
    files: list[Path],
    found: dict[str, list[str]],
) -> None:
    if message.get("id") == 1 and "result" in message:  # initialized: configure, open files
        server.send({"method": "initialized", "params": {}})
        server.send(
            {
                "method": "workspace/didChangeConfiguration",
                "params": {"settings": {"yaml": settings}},
            }
        )
        for file in files:
            document = {
                "uri": file.as_uri(),
                "languageId": "yaml",
                "version": 1,
                "text": file.read_text(encoding="utf-8"),
            }
            server.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
    elif message.get("method") == "workspace/configuration":
        items = message["params"]["items"]
        server.send({"id": message["id"], "result": [settings for _ in items]})
    elif "id" in message and "method" in message:  # any other request: nothing to say
        server.send({"id": message["id"], "result": None})
    elif message.get("method") == "textDocument/publishDiagnostics":
        params = message["params"]
        found[params["uri"]] = [diagnostic["message"] for diagnostic in params["diagnostics"]]
