#!/usr/bin/env python3
"""mkimage.py: an OCI image archive from host files, without a registry.

mkimage.py OUT.tar NAME [--entrypoint JSON] [--cmd JSON] [--env K=V]...
           [--workdir DIR] [--stop-signal SIG] GUEST=HOST|GUEST->TARGET|GUEST/...

Each file argument adds a regular file (GUEST=HOST, mode from the host file),
a symlink (GUEST->TARGET) or a directory (GUEST/). The archive is an OCI
image layout (oci-layout, index.json, blobs) with one uncompressed layer,
named NAME (e.g. localhost/hello:1) for both `podman load` and
`ctr image import`. Entries are sorted and timestamps fixed, so the same
input gives the same bytes.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile

MTIME = 1700000000


def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        for guest, _, _ in files:
            parts = guest.strip("/").split("/")
            for i in range(1, len(parts)):
                dirs.add("/".join(parts[:i]))
        entries = [(d, "dir", None) for d in dirs]
        entries += [(g.strip("/"), k, v) for g, k, v in files]
        seen = set()
        for name, kind, value in sorted(entries, key=lambda e: e[0]):
            if name in seen:
                continue
            seen.add(name)
            ti = tarfile.TarInfo(name)
            ti.mtime = MTIME
            ti.uid = ti.gid = 0
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tar.addfile(ti)
            elif kind == "link":
                ti.type = tarfile.SYMTYPE
                ti.linkname = value
                ti.mode = 0o777
                tar.addfile(ti)
            else:
                with open(value, "rb") as f:
                    data = f.read()
                ti.size = len(data)
                ti.mode = os.stat(value).st_mode & 0o7777
                tar.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def blob(blobs, data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("name")
    ap.add_argument("--entrypoint")
    ap.add_argument("--cmd")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--workdir")
    ap.add_argument("--stop-signal")
    ap.add_argument("files", nargs="*")
    a = ap.parse_intermixed_args()

    files = []
    for f in a.files:
        if "->" in f:
            g, t = f.split("->", 1)
            files.append((g, "link", t))
        elif "=" in f:
            g, h = f.split("=", 1)
            files.append((g, "file", h))
        elif f.endswith("/"):
            files.append((f.rstrip("/"), "dir", None))
        else:
            sys.exit("mkimage.py: bad file argument %r" % f)

    blobs = {}
    tar = layer(files)
    diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
    lay = blob(blobs, tar, "application/vnd.oci.image.layer.v1.tar")
    cfg = {"Env": a.env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
    if a.entrypoint:
        cfg["Entrypoint"] = json.loads(a.entrypoint)
    if a.cmd:
        cfg["Cmd"] = json.loads(a.cmd)
    if a.workdir:
        cfg["WorkingDir"] = a.workdir
    if a.stop_signal:
        cfg["StopSignal"] = a.stop_signal
    config = {
        "created": "2023-11-14T22:13:20Z",
        "architecture": "amd64",
        "os": "linux",
        "config": cfg,
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "tests/oci/mkimage.py"}],
    }
    conf = blob(blobs, json.dumps(config, sort_keys=True).encode(),
                "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": conf, "layers": [lay]}
    man = blob(blobs, json.dumps(manifest, sort_keys=True).encode(),
               "application/vnd.oci.image.manifest.v1+json")
    tag = a.name.rsplit(":", 1)[1] if ":" in a.name.rsplit("/", 1)[-1] else "latest"
    man["annotations"] = {"io.containerd.image.name": a.name,
                          "org.opencontainers.image.ref.name": tag}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [man]}

    tmp = a.out + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as out:
        def add(name, data, mode=0o644, kind=tarfile.REGTYPE):
            ti = tarfile.TarInfo(name)
            ti.mtime = MTIME
            ti.mode = mode
            ti.type = kind
            ti.size = len(data) if data is not None else 0
            out.addfile(ti, io.BytesIO(data) if data is not None else None)
        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index, sort_keys=True).encode())
        add("blobs", None, 0o755, tarfile.DIRTYPE)
        add("blobs/sha256", None, 0o755, tarfile.DIRTYPE)
        for d in sorted(blobs):
            add("blobs/sha256/" + d.split(":", 1)[1], blobs[d])
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
