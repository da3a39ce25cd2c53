"""CPU time of one inbox file in a merge worker, per stage, compared between two source trees.

    .venv/bin/python scripts/bench_intake.py --demo /tmp/d200                      # this tree only
    .venv/bin/python scripts/bench_intake.py --demo /tmp/d200 --base /tmp/old      # A/B, alternately

``--demo`` is a ``dxdesk demo`` folder (``scripts/bench_merge.py --demo DIR`` builds one; so does
:func:`dxdesk.exchange.demo.build_demo`). ``--base`` is another checkout's root (a folder holding a
``dxdesk`` package, e.g. ``git archive main dxdesk | tar -x -C /tmp/old``); its code runs with this
environment's Python, in its own processes, alternately with this tree's (``--rounds`` times each),
because the machine is shared and its load changes from one minute to the next.

Each round runs two fresh processes per tree, so that no file is ever seen twice by one process (a
merge worker sees each file once: a result remembered from an earlier call must not flatter a stage):

- ``intake``: :func:`dxdesk.central.intake.intake_file` of every submission, as a merge worker runs it;
- ``stages``: the parts of that call that are not the sheet scan and the appearance check, each on
  its own, once per file: ``parse_canonical`` (depth limit, JSON, canonical form), ``payload_hash``,
  ``verify_signed`` with the appearance check left out (kind and format, Ed25519 signature, the
  certificate chain and identity), ``check_submission_content``, ``measure_deltas`` (the dataset
  field readers and the content hashes), ``zlib.compress`` of the payload, ``base64`` of the
  signature, ``cert_to_pem``; ``read_signed`` (zip, sheet scan, payload parse) is printed for scale.

Figures are medians over the files of the CPU time (``time.process_time``) of one call, in ms, and
every file's verdict is checked to be the same in both trees (codes, reasons and written values).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _trust(demo: Path):  # type: ignore[no-untyped-def]
    from dxdesk.exchange.authority import load_trust
    from dxdesk.store.database import open_database

    database = open_database(demo / "central.sqlite")
    with database.session() as s:
        trust = load_trust(s)
    database.dispose()
    return trust


def _files(demo: Path, limit: int) -> list[Path]:
    return sorted((demo / "submissions").glob("*.xlsx"))[:limit]


def _fiscal_year(demo: Path) -> int:
    from dxdesk.exchange.signed import read_signed

    signed = read_signed(_files(demo, 1)[0])
    signed.reader.close()
    return int(signed.payload["fiscal_year"])


def step_intake(demo: Path, limit: int) -> dict[str, object]:
    import gc

    from dxdesk.central.intake import intake_file

    trust = _trust(demo)
    fy = _fiscal_year(demo)
    cpu: list[float] = []
    verdicts: list[str] = []
    gc.collect()
    for f in _files(demo, limit):
        data = f.read_bytes()
        h = hashlib.sha256(data).hexdigest()
        c = time.process_time()
        it = intake_file(str(f), h, trust, fy)
        cpu.append(time.process_time() - c)
        digest = hashlib.sha256(
            repr(
                (
                    it.codes,
                    it.reasons,
                    it.kind,
                    it.plan_code,
                    it.fiscal_year,
                    it.section_code,
                    it.section_name,
                    it.revision,
                    it.previous_hash,
                    it.payload_hash,
                    it.author,
                    it.chief,
                    it.signer_serial,
                    it.created_at,
                    it.payload_z,
                    it.signature,
                    it.certificate_pem,
                    [vars(m) for m in it.measures],
                )
            ).encode("utf-8", "surrogatepass")
        ).hexdigest()
        verdicts.append(f"{f.name} {it.ok} {digest}")
    return {"intake_file": cpu, "verdicts": verdicts}


def step_stages(demo: Path, limit: int) -> dict[str, object]:
    import base64
    import gc
    import zlib

    from dxdesk.central import intake
    from dxdesk.exchange import verify
    from dxdesk.exchange.canonical import parse_canonical, payload_hash
    from dxdesk.exchange.certificates import cert_to_pem
    from dxdesk.exchange.signed import read_signed

    trust = _trust(demo)
    fy = _fiscal_year(demo)
    times: dict[str, list[float]] = {}

    def timed(name: str, fn, *args):  # type: ignore[no-untyped-def]
        c = time.process_time()
        r = fn(*args)
        times.setdefault(name, []).append(time.process_time() - c)
        return r

    verify.check_bindings = lambda signed, v: None  # type: ignore[assignment]  # the appearance check: not timed here
    gc.collect()
    gc.disable()  # as intake_file runs
    for f in _files(demo, limit):
        data = f.read_bytes()
        c = time.process_time()
        signed = read_signed(f, data=data)
        times.setdefault("read_signed (scan; for scale)", []).append(time.process_time() - c)
        timed("parse_canonical", parse_canonical, signed.payload_bytes)
        timed("payload_hash", payload_hash, signed.payload_bytes)
        v = timed("verify_signed w/o appearance", verify.verify_signed, signed, trust)
        assert v.ok, v.message
        timed("check_submission_content", verify.check_submission_content, v)
        timed("measure_deltas", intake.measure_deltas, signed.payload, fy)
        timed("zlib.compress", zlib.compress, signed.payload_bytes, 1)
        timed("base64 signature", base64.b64encode, signed.signature)
        timed("cert_to_pem", cert_to_pem, signed.certificate)
        signed.reader.close()
    gc.enable()
    return times


OWNED = (
    "parse_canonical",
    "payload_hash",
    "verify_signed w/o appearance",
    "check_submission_content",
    "measure_deltas",
    "zlib.compress",
    "base64 signature",
    "cert_to_pem",
)


def _run(root: Path, step: str, demo: Path, limit: int) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONHASHSEED="0")
    args = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--demo", str(demo)]
    args += ["--limit", str(limit)]
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd="/")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demo", required=True)
    p.add_argument("--base", help="another source tree to compare with (its root folder)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--limit", type=int, default=200, help="number of submissions (default 200)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    a = p.parse_args()
    demo = Path(a.demo)
    if a.step:
        import dxdesk

        result = {"intake": step_intake, "stages": step_stages}[a.step](demo, a.limit)
        result["dxdesk"] = str(Path(dxdesk.__file__).parent.parent)
        print(json.dumps(result))
        return 0
    trees = {"this": ROOT}
    if a.base:
        trees = {"base": Path(a.base).resolve(), **trees}
    load = os.getloadavg()[0]
    runs: dict[str, list[dict[str, object]]] = {k: [] for k in trees}
    for r in range(a.rounds):
        for name, root in trees.items():
            res = {**_run(root, "intake", demo, a.limit), **_run(root, "stages", demo, a.limit)}
            assert res["dxdesk"] == str(root), (res["dxdesk"], root)
            runs[name].append(res)
            print(f"round {r + 1} {name}: intake_file {1000 * statistics.median(res['intake_file']):.2f} ms")  # type: ignore[arg-type]
    print(
        f"load average at start {load:.2f}, now {os.getloadavg()[0]:.2f}; {a.limit} files, {a.rounds} rounds"
    )
    if a.base:
        same = all(r["verdicts"] == runs["base"][0]["verdicts"] for rs in runs.values() for r in rs)
        print(f"verdicts and written values identical in both trees: {same}")
    stages = ["intake_file", "read_signed (scan; for scale)", *OWNED, "owned stages, sum"]
    print(
        f"{'median CPU ms per file (best round)':40}"
        + "".join(f"{n:>10}" for n in trees)
        + ("     ratio" if a.base else "")
    )
    for stage in stages:
        best = {}
        for name, rs in runs.items():
            if stage == "owned stages, sum":
                vals = [sum(statistics.median(r[s]) for s in OWNED) for r in rs]  # type: ignore[arg-type]
            else:
                vals = [statistics.median(r[stage]) for r in rs]  # type: ignore[arg-type]
            best[name] = 1000 * min(vals)
        line = f"{stage:40}" + "".join(f"{best[n]:10.3f}" for n in trees)
        if a.base and best["this"] > 0:
            line += f"{best['base'] / best['this']:9.2f}×"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
