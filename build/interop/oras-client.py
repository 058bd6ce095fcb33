# requirements: oras==0.2.43
"""The ORAS Python client's side of klever's interop tests (run in a venv: build/lib/venv.sh).

  oras-client.py pull HOST/REPO:TAG OUTDIR
      pull with oras, unpack the application/tar+gzip layer into OUTDIR/unpacked and print
      {"layers": [media types], "files": {"model/...": sha256}} as JSON
  oras-client.py push HOST/REPO:TAG PKGDIR CONFIG_JSON
      push PKGDIR/model as an ormb artifact with oras: CONFIG_JSON as the config blob
      (application/vnd.caicloud.model.config.v1alpha1+json), one tar+gzip layer of model/
The registry is plain HTTP; with ORAS_USERNAME and ORAS_PASSWORD set, oras authenticates
with them through its ORAS_AUTH backend: "token" (a Bearer token fetched with them) or
"basic" (oras 0.2.43's token backend takes a Basic challenge's realm for a token URL).
"""
import hashlib
import json
import os
import sys
import tarfile
import tempfile

import oras.client

CONFIG_TYPE = "application/vnd.caicloud.model.config.v1alpha1+json"
LAYER_TYPE = "application/tar+gzip"


def client_for(target):
    backend = os.environ.get("ORAS_AUTH", "token")
    client = oras.client.OrasClient(hostname=target.split("/", 1)[0], insecure=True, auth_backend=backend)
    if os.environ.get("ORAS_USERNAME"):
        client.auth.set_basic_auth(os.environ["ORAS_USERNAME"], os.environ["ORAS_PASSWORD"])
    return client


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pull(target, outdir):
    client = client_for(target)
    manifest = client.get_manifest(target)
    paths = client.pull(target=target, outdir=outdir)
    unpacked = os.path.join(outdir, "unpacked")
    for path in paths:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(unpacked, filter="data")
    files = {}
    for root, _, names in os.walk(unpacked):
        for name in names:
            full = os.path.join(root, name)
            files[os.path.relpath(full, unpacked)] = sha256(full)
    print(json.dumps({"layers": [layer["mediaType"] for layer in manifest["layers"]], "files": files}))


def push(target, package, config):
    work = tempfile.mkdtemp()
    layer = os.path.join(work, "model.tar.gz")
    with tarfile.open(layer, "w:gz") as archive:
        archive.add(os.path.join(package, "model"), arcname="model")
    client_for(target).push(
        target=target,
        files=[f"{layer}:{LAYER_TYPE}"],
        manifest_config=f"{config}:{CONFIG_TYPE}",
        disable_path_validation=True,
        quiet=True,
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "pull":
        pull(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "push":
        push(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
