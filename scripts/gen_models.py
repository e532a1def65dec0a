#!/usr/bin/env python3
"""Derive compact service-model tables from the AWS models installed on this machine.

Looks for botocore data directories (Debian's python3-botocore, and whatever botocore the
python3 interpreters on the machine import), picks for every requested service the newest API
version of the newest botocore that has it, strips everything the Awan codecs do not need
(documentation, examples, validation limits, endpoint rules) and writes a C++ file defining

    std::string_view awan::protocol::embedded_model(std::string_view service);

which returns the compact JSON model ("" when unknown). SQS is special: newer models speak
awsJson with awsQueryCompatible, older ones awsQuery; the query model of an older botocore is
also embedded under the key "sqs@query" so both wire forms can be decoded.

The project does not commit copies of the AWS models: they are derived at build time.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys

DEBIAN_DATA = "/usr/lib/python3/dist-packages/botocore/data"

META_KEYS = ("apiVersion", "protocol", "targetPrefix", "jsonVersion", "xmlNamespace",
             "signingName", "endpointPrefix", "serviceId", "awsQueryCompatible")
REF_KEYS = ("shape", "location", "locationName", "flattened", "xmlAttribute", "xmlNamespace",
            "timestampFormat", "jsonvalue", "streaming", "hostLabel", "idempotencyToken")
SHAPE_KEYS = ("type", "payload", "error", "exception", "flattened", "locationName",
              "xmlNamespace", "timestampFormat", "streaming", "document", "union", "required")


def botocore_version(data_dir):
    init = os.path.join(os.path.dirname(data_dir), "__init__.py")
    try:
        with open(init, encoding="utf-8") as f:
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)['\"]", f.read())
            if m:
                return tuple(int(x) if x.isdigit() else 0 for x in m.group(1).split("."))
    except OSError:
        pass
    return (0,)


def interpreter_data_dir(python):
    try:
        out = subprocess.run(
            [python, "-c", "import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),'data'))"],
            capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    path = out.stdout.strip()
    return path if out.returncode == 0 and os.path.isdir(path) else None


def find_data_dirs():
    candidates = []
    env = os.environ.get("AWAN_BOTOCORE_DATA")
    if env:
        candidates.extend(p for p in env.split(os.pathsep) if p)
    candidates.append(DEBIAN_DATA)
    try:  # the interpreter running this script
        import botocore  # noqa: F401
        candidates.append(os.path.join(os.path.dirname(botocore.__file__), "data"))
    except Exception:
        pass
    for python in ("/usr/bin/python3", "python3"):
        d = interpreter_data_dir(python)
        if d:
            candidates.append(d)
    seen, dirs = set(), []
    for d in candidates:
        if not os.path.isdir(d):
            continue
        real = os.path.realpath(d)
        if real in seen:
            continue
        seen.add(real)
        dirs.append(d)
    # newest botocore first; ties keep discovery order
    dirs.sort(key=lambda d: botocore_version(d), reverse=True)
    return dirs


def model_files(data_dir, service):
    """(api_version, path) pairs for a service, newest API version first."""
    sdir = os.path.join(data_dir, service)
    if not os.path.isdir(sdir):
        return []
    out = []
    for version in sorted(os.listdir(sdir), reverse=True):
        for name in ("service-2.json", "service-2.json.gz"):
            p = os.path.join(sdir, version, name)
            if os.path.isfile(p):
                out.append((version, p))
                break
    return out


def load(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def strip_ref(ref):
    return {k: ref[k] for k in REF_KEYS if k in ref}


def strip_model(model):
    meta = model.get("metadata", {})
    out = {"metadata": {k: meta[k] for k in META_KEYS if k in meta}, "operations": {}, "shapes": {}}
    for name, op in model.get("operations", {}).items():
        o = {}
        http = op.get("http")
        if http:
            o["http"] = {k: http[k] for k in ("method", "requestUri", "responseCode") if k in http}
        if "input" in op:
            o["input"] = {k: op["input"][k] for k in ("shape", "locationName", "xmlNamespace") if k in op["input"]}
        if "output" in op:
            o["output"] = {k: op["output"][k] for k in ("shape", "resultWrapper") if k in op["output"]}
        if op.get("deprecated"):
            o["deprecated"] = True
        errs = [e["shape"] for e in op.get("errors", []) if "shape" in e]
        if errs:
            o["errors"] = errs
        out["operations"][name] = o
    for name, shape in model.get("shapes", {}).items():
        s = {k: shape[k] for k in SHAPE_KEYS if k in shape}
        if "members" in shape:
            s["members"] = {m: strip_ref(r) for m, r in shape["members"].items()}
        for k in ("member", "key", "value"):
            if k in shape:
                s[k] = strip_ref(shape[k])
        out["shapes"][name] = s
    return out


def pick(dirs, service, want_protocol=None):
    for d in dirs:
        for _version, path in model_files(d, service):
            model = load(path)
            if want_protocol and model.get("metadata", {}).get("protocol") != want_protocol:
                continue
            return model
    return None


def cpp_literal(text):
    delim = "awan"
    while (")" + delim + '"') in text:
        delim += "_"
    # Split into pieces: some compilers limit the length of one string literal.
    pieces = [text[i:i + 60000] for i in range(0, len(text), 60000)] or [""]
    return "\n".join('R"%s(%s)%s"' % (delim, p, delim) for p in pieces)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("services", nargs="+")
    args = ap.parse_args()

    dirs = find_data_dirs()
    if not dirs:
        sys.exit("gen_models.py: no botocore data directory found (install python3-botocore)")

    models = {}
    for svc in args.services:
        model = pick(dirs, svc)
        if model is None:
            print("gen_models.py: warning: no model for %s" % svc, file=sys.stderr)
            continue
        models[svc] = strip_model(model)
        if svc == "sqs" and model.get("metadata", {}).get("protocol") != "query":
            q = pick(dirs, "sqs", "query")
            if q is not None:
                models["sqs@query"] = strip_model(q)

    lines = [
        "// Generated by scripts/gen_models.py from the AWS models installed on this machine.",
        "// Do not edit; do not commit.",
        "#include <string_view>",
        "#include <vector>",
        "",
        "namespace awan::protocol {",
        "",
        "namespace {",
    ]
    names = sorted(models)
    for i, name in enumerate(names):
        text = json.dumps(models[name], separators=(",", ":"), ensure_ascii=False)
        lines.append("constexpr std::string_view k_model_%d =\n%s;" % (i, cpp_literal(text)))
    lines += ["}  // namespace", "",
              "std::string_view embedded_model(std::string_view service) {"]
    for i, name in enumerate(names):
        lines.append('  if (service == "%s") return k_model_%d;' % (name, i))
    lines += ["  return {};", "}", "",
              "const std::vector<std::string_view>& embedded_model_names() {",
              "  static const std::vector<std::string_view> names{%s};" % ", ".join('"%s"' % n for n in names),
              "  return names;", "}", "", "}  // namespace awan::protocol", ""]
    content = "\n".join(lines)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    try:
        with open(args.out, encoding="utf-8") as f:
            if f.read() == content:
                return  # unchanged: keep the timestamp, avoid a recompile
    except OSError:
        pass
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
