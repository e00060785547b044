"""The benchmark (scripts/benchmark.py) runs end to end on a tiny list, so it never rots."""

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "scripts" / "benchmark.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark"] = module
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_prints_every_step_with_positive_figures(tmp_path, capsys):
    bench = _benchmark()
    results = bench.main(["--quick", "--home", str(tmp_path / "home")])
    out = capsys.readouterr().out
    for step, label in bench.LABELS.items():
        line = next((x for x in out.splitlines() if x.startswith(label)), None)
        assert line is not None, f"no line for {step}:\n{out}"
        seconds, count = re.search(r"([\d.]+) s\s+([\d,]+) ", line).groups()  # type: ignore[union-attr]
        assert float(seconds) >= 0 and int(count.replace(",", "")) > 0, line
        assert results[step]["seconds"] > 0, line
        peak = float(re.search(r"peak RSS\s+([\d,]+) MiB", line).group(1).replace(",", ""))  # type: ignore[union-attr]
        assert 0 < peak < 4096, line
        assert results[step]["peak_mib"] >= results[step]["base_mib"] > 0
    for ratio in ("ingest / I/O floor", "per-row baseline / ingest", "statistics / DuckDB query"):
        assert re.search(re.escape(ratio) + r"\s+\d+\.\dx", out), out
    assert "1k-row ingest cold / warm" in out and "peak RSS, largest step" in out
    assert re.search(r"1k-row ingest beside the list\s+\d+\.\d s", out), out
    # Its results changed only its own list: only its statistics were refreshed.
    assert results["small_results"]["lists"] == ["small_beside"]
    assert re.search(r"its day's results \+ stats\s+\d+\.\d s .*of small_beside", out), out
    # A batch into the list refreshes that list's statistics only (reading its kept counts).
    assert results["results_batch"]["lists"] == ["bench"]
    assert results["results_batch"]["count"] > 0
    assert re.search(r"a batch of results \+ stats\s+\d+\.\d s .*of bench", out), out
    writes = re.search(r"records' writes / I/O floor\s+(\d+\.\d)x.*at most (\d+\.\d)x", out)
    assert writes is not None, out
    # the records' writes are part of the ingest: they cannot take longer than all of it
    assert results["records_floor"]["seconds"] < results["ingest"]["seconds"]
    assert results["records_floor"]["count"] == results["ingest"]["records"]
    assert results["results_file"]["per_record"] >= 4  # --quick asks for ~5 per record
    # Statistics and the DuckDB query compared alike: best of as many runs; the first shown.
    stats = results["statistics"]
    assert stats["repeats"] == 3 and stats["first"] >= stats["seconds"] > 0
    assert re.search(r"statistics / DuckDB query .*best of 3 each; the first build \d", out), out


def test_the_memory_target_is_read_from_cxpipelines_own_steps():
    """The list and results generators may peak higher: they are not what the target bounds."""
    bench = _benchmark()
    figures = {step: {"seconds": 1.0, "count": 1000, "peak_mib": 300.0} for step in bench.ORDER}
    figures["small_results"].update(load_s=0.5, lists=["small_beside"])
    figures["results_batch"].update(load_s=0.5, lists=["bench"])
    figures["results_file"]["peak_mib"] = 2000.0  # the results generator
    figures["statistics"]["peak_mib"] = 900.0
    line = next(x for x in bench.ratio_lines(figures) if x.startswith("peak RSS"))
    assert "900 MiB" in line and "met" in line and "NOT MET" not in line
    assert "(statistics; of cxpipeline's steps)" in line
    figures["plan_rebuild"]["peak_mib"] = 1100.0
    line = next(x for x in bench.ratio_lines(figures) if x.startswith("peak RSS"))
    assert "1,100 MiB" in line and "NOT MET" in line and "plan, state rebuilt" in line
