"""What the proxy tests share: Debian's tools, a throwaway certificate for the course's host
name, and docs/deploy/haproxy.cfg made runnable on loopback.

Used by tests/app/test_deploy_configs.py (HAProxy in front of stand-ins) and
tests/load/test_replicas.py (HAProxy in front of two real `streamlit run` processes).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = ROOT / "docs" / "deploy" / "haproxy.cfg"
HOST = "course.example.edu"


def tool(name: str) -> str:
    """The path of a system tool; skipped without it, a failure under CI=true."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        reason = f"{name} is missing (apt-get install {name}); scripts/test.sh installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def self_signed_tls(folder: Path) -> dict[str, Path]:
    """A throwaway self-signed certificate for course.example.edu in `folder`:
    {'cert', 'key', 'both'} (HAProxy's form: certificate, then key)."""
    openssl = tool("openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
                    "-addext", f"subjectAltName=DNS:{HOST}"],
                   check=True, capture_output=True)
    both = folder / "both.pem"
    both.write_text(cert.read_text() + key.read_text())
    return {"cert": cert, "key": key, "both": both}


def haproxy_config(tls_files: dict, folder: Path, ports: dict[str, int] | None = None,
                   upstream_ports: tuple[int, int] | None = None) -> Path:
    """docs/deploy/haproxy.cfg with the test's certificate; with `ports`, also on loopback:
    the frontends on 127.0.0.1:ports['http'|'https'], the first two servers at
    127.0.0.1:upstream_ports (the others dropped), and without the lines that need root
    (log socket, chroot, user, group, daemon). Nothing else changes: the servers keep their
    own options (checks, cookies) as the file has them."""
    text = HAPROXY.read_text(encoding="utf-8")
    pem = f"/etc/haproxy/certs/{HOST}.pem"
    assert pem in text
    text = text.replace(pem, str(tls_files["both"]))
    if ports:
        # run in the foreground as this user, on free ports, with the two stand-ins
        text = re.sub(r"^\s+(log /dev/log.*|chroot .*|user .*|group .*|daemon)$\n", "", text,
                      flags=re.MULTILINE)
        text = text.replace("bind :80\n", f"bind 127.0.0.1:{ports['http']}\n")
        text = text.replace("bind :443 ", f"bind 127.0.0.1:{ports['https']} ")
        servers = re.findall(r"^    server .*$", text, flags=re.MULTILINE)
        assert len(servers) >= 2
        for line, port in zip(servers[:2], upstream_ports or (0, 0), strict=True):
            moved = re.sub(r"^(    server \S+ )\S+:\d+ ", rf"\g<1>127.0.0.1:{port} ", line)
            assert moved != line, f"no address in {line!r}"
            text = text.replace(line, moved)
        for extra in servers[2:]:
            text = text.replace(extra + "\n", "")
    path = folder / "haproxy.cfg"
    path.write_text(text)
    return path
