"""Shared benchmark plumbing: start servers, run wrk, parse its report."""
import io
import os
import re
import subprocess
import tempfile
import time
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("AWAN_BUILD", os.path.join(ROOT, "build", "release"))
AWAN = os.path.join(BUILD, "awan")
BARE = os.path.join(BUILD, "bench", "bare_server")


def machine():
    """The CPU the figures were measured on (model name, family/model numbers, cores): figures
    from different machines are not comparable (a Xeon and an EPYC differ by 2x on DynamoDB)."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                info.setdefault(k.strip(), v.strip())
    except OSError:
        pass
    return (f"{info.get('model name', 'unknown CPU')} (family {info.get('cpu family', '?')}, model "
            f"{info.get('model', '?')}), {os.cpu_count()} cores")


# Every benchmark's output starts with the machine it ran on.
print(f"machine: {machine()}", flush=True)


class Proc:
    def __init__(self, args):
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.p.stdout.readline()
        self.port = int(re.search(r"(\d+)\s*$", line.strip()).group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def rss_kb(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=5)


def start_awan(*extra):
    return Proc([AWAN, "serve", "--port", "0", "--log-level", "warn", *extra])


def start_bare():
    return Proc([BARE, "0"])


def lua_script(method="GET", body=None, headers=None):
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        esc = body.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'wrk.body = "{esc}"')
    for k, v in (headers or {}).items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write("\n".join(lines) + "\n")
    f.close()
    return f.name


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def wrk(url, script=None, duration=5, connections=16, threads=1):
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "non2xx": int(errors.group(1)) if errors else 0}


def wait_healthy(url, deadline_s=5):
    t_end = time.monotonic() + deadline_s
    while time.monotonic() < t_end:
        try:
            with urllib.request.urlopen(url + "/_awan/health", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.0005)
    return False


def report(rows, ceiling_rps):
    print(f"{'scenario':<34}{'req/s':>10}{'% ceiling':>11}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for name, r in rows:
        pct = 100 * r["rps"] / ceiling_rps if ceiling_rps else 0
        print(f"{name:<34}{r['rps']:>10.0f}{pct:>10.0f}%{r['p50_ms']:>9.3f}{r['p99_ms']:>9.3f}{r['non2xx']:>9}")


def zip_of(files):
    """A deployment package: {name: text}; a `bootstrap` is executable."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name == "bootstrap" else 0o644) << 16
            z.writestr(info, text)
    return buf.getvalue()


def client(url, service):
    """A boto3 client of the daemon at `url` that does not retry (a benchmark counts failures)."""
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
