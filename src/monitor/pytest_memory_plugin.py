# pytest_memory_plugin 1.1.0, the memory monitor written by netra-migrate. `netra-migrate fix` updates this copy
# netra-migrate-sha256: {{checksum}}
"""Memory limits for pytest: watch each test's peak memory and act before the container is OOM-killed.

Limits are in MB, or ``auto`` (a share of the container's cgroup memory limit, else of physical memory).
Highest precedence first:

==========================  ==============================  ==============================
command line                environment                     config key
==========================  ==============================  ==============================
``--memory-limit-mb``       ``PYTEST_MEMORY_LIMIT_MB``      ``memory_limit_mb``
``--collection-memory-      ``PYTEST_COLLECTION_LIMIT_MB``  ``collection_memory_limit_mb``
limit-mb``
``--memory-limit-action``   ``PYTEST_MEMORY_LIMIT_ACTION``  ``memory_limit_action``
                                                            ``memory_report_top``
==========================  ==============================  ==============================

``0``, ``off`` or ``none`` turns a limit off; any other number is a limit, and a limit at or below what
this pytest process already holds before any test is a usage error naming both numbers. A collection limit
of ``auto`` under an execution limit given in MB is half of that limit. Over the collection limit after
collection, the run stops before any test with exit code 10 (under pytest-xdist every worker skips its tests
and the run exits 10). Over the execution limit, ``memory_limit_action`` decides: ``fail`` (default) fails
the test whose own peak passed the limit, naming peak and limit; ``skip`` skips the following tests while
the process stays over the limit; ``warn`` warns.

Each test is judged by what it adds itself: its peak since its start (the kernel's high-water mark, reset
per test), against the limit, or, when it starts with the process already over the limit (memory an earlier
test kept), against what the process held when it started. A test that only inherits held memory is not
blamed; a test that adds more on top of it is.

No dependencies: on Linux it reads /proc (a test's exact peak from the kernel's high-water mark, reset per
test through /proc/self/clear_refs); elsewhere it uses psutil when installed. Python 3.9+, pytest 8+.

PYTEST_DONT_REWRITE: there are no asserts here, and skipping pytest's rewrite keeps the import cheap.
"""
from __future__ import annotations

import gc
import heapq
import os
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

__version__ = "1.1.0"

MB = 1024 * 1024
#: Exit code of a run stopped because collection passed its memory limit (pytest 9 itself uses 0-6).
EXIT_COLLECTION_MEMORY = 10
#: ``auto`` gives every test process this share of the container (or machine) memory, divided by workers.
AUTO_SHARE = 0.8
#: ``auto`` collection limit, as a share of the execution limit (the seed's 256 MB of 512 MB).
AUTO_COLLECTION_SHARE = 0.5
#: Above this share of the limit a garbage collection runs first, at most once per GC_INTERVAL seconds.
PRESSURE = 0.9
GC_INTERVAL = 1.0
#: A test that starts over the limit is blamed only for growth beyond this (allocator and page noise).
OVER_START_SLACK = 1 * MB
#: cgroup v1 reports "no limit" as a huge number (PAGE_COUNTER_MAX * page size).
NO_LIMIT = 1 << 62
ACTIONS = ("skip", "fail", "warn")
OFF = ("0", "off", "none")
WORKER_OUTPUT_KEY = "pytest_memory_plugin"


class MemoryLimitWarning(pytest.PytestWarning):
    """A test's peak memory passed the limit (action ``warn``)."""


def _mb(n: float) -> str:
    return "%.1fMB" % (n / MB)


# --- readings -------------------------------------------------------------------------------------------


class Meter:
    """This process's memory, read as cheaply as the platform allows (Linux: one pread of a cached fd)."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.maxrss_unit = 1 if sys.platform == "darwin" else 1024
        self._pid = -1
        self._statm: Optional[int] = None
        self._clear: Optional[int] = None
        self._psutil: Any = None
        self._open()

    def _open(self) -> None:
        self._pid = os.getpid()
        for fd in (self._statm, self._clear):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        try:
            self._statm = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self._statm = None
        try:
            self._clear = os.open("/proc/self/clear_refs", os.O_WRONLY)
        except OSError:
            self._clear = None
        if self._statm is None:
            try:
                import psutil  # type: ignore[import-not-found]

                self._psutil = psutil.Process()
            except Exception:
                self._psutil = None

    def _check_pid(self) -> None:
        # A forked child inherits the fds of its parent's /proc/self: reopen them as its own.
        if os.getpid() != self._pid:
            self._open()

    def rss(self) -> int:
        self._check_pid()
        if self._statm is not None:
            return int(os.pread(self._statm, 128, 0).split()[1]) * self.page
        if self._psutil is not None:
            return int(self._psutil.memory_info().rss)
        return self.peak()

    def reset_peak(self) -> bool:
        """Reset the kernel's high-water mark, so the next peak() is the peak since now."""
        if self._clear is None:
            return False
        try:
            os.write(self._clear, b"5")
            return True
        except OSError:
            self._clear = None
            return False

    def can_reset(self) -> bool:
        return self._clear is not None

    def peak(self) -> int:
        """The process's high-water mark (since the last reset_peak, where resets work)."""
        if resource is not None:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * self.maxrss_unit
        if self._psutil is not None:
            info = self._psutil.memory_info()
            return int(getattr(info, "peak_wset", info.rss))
        return 0


# --- limits ---------------------------------------------------------------------------------------------


def _read(root: str, path: str) -> str:
    with open(os.path.join(root, path.lstrip("/")), encoding="utf-8", errors="replace") as f:
        return f.read()


def _unescape_mount(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040).
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit() and len(field[i + 1 : i + 4]) == 3:
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _mounts(root: str) -> List[Tuple[str, str, str, List[str]]]:
    """(root inside the filesystem, mount point, filesystem type, super options) of each mount."""
    out = []
    for line in _read(root, "/proc/self/mountinfo").splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        sep = fields.index("-")
        if sep < 5 or len(fields) < sep + 3:
            continue
        out.append((_unescape_mount(fields[3]), _unescape_mount(fields[4]), fields[sep + 1], fields[sep + 3].split(",")))
    return out


def _group_dirs(root: str, mount_root: str, mount_point: str, group: str) -> List[str]:
    """The group's directory and each parent up to the mount point, innermost first."""
    if mount_root != "/" and (group == mount_root or group.startswith(mount_root.rstrip("/") + "/")):
        rel = group[len(mount_root) :]
    elif mount_root == "/":
        rel = group
    else:
        rel = ""  # the group lies outside what is mounted (a cgroup namespace): the mount is the group
    top = os.path.join(root, mount_point.lstrip("/"))
    parts = [p for p in rel.split("/") if p]
    dirs = [os.path.join(top, *parts[:n]) for n in range(len(parts), -1, -1)]
    existing = [d for d in dirs if os.path.isdir(d)]
    return existing or [top]


def _limit_value(text: str) -> Optional[int]:
    text = text.strip()
    if not text or text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return None
    return value if 0 < value < NO_LIMIT else None


def container_limit(root: str = "/") -> Tuple[Optional[int], str]:
    """The smallest memory limit of this process's cgroup and its parents (v2 and v1), and where it is from."""
    try:
        cgroups = _read(root, "/proc/self/cgroup")
        mounts = _mounts(root)
    except OSError:
        return None, ""
    found: List[Tuple[int, str]] = []
    for line in cgroups.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, group = parts
        v2 = hierarchy == "0" and controllers == ""
        if not v2 and "memory" not in controllers.split(","):
            continue
        for mount_root, mount_point, fstype, options in mounts:
            if v2 and fstype != "cgroup2":
                continue
            if not v2 and (fstype != "cgroup" or "memory" not in options):
                continue
            for d in _group_dirs(root, mount_root, mount_point, group):
                names = ["memory.max"] if v2 else ["memory.limit_in_bytes"]
                for name in names:
                    try:
                        value = _limit_value(_read(d, name))
                    except OSError:
                        continue
                    if value is not None:
                        found.append((value, os.path.join(d, name)[len(root.rstrip("/")) :]))
                if not v2:
                    try:
                        for stat in _read(d, "memory.stat").splitlines():
                            key, _, number = stat.partition(" ")
                            if key == "hierarchical_memory_limit":
                                value = _limit_value(number)
                                if value is not None:
                                    found.append((value, os.path.join(d, "memory.stat")[len(root.rstrip("/")) :]))
                    except OSError:
                        pass
            break
    if not found:
        return None, ""
    value, source = min(found)
    return value, "cgroup limit %s in %s" % (_mb(value), source)


def physical_memory(root: str = "/") -> int:
    try:
        for line in _read(root, "/proc/meminfo").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 0


def worker_count() -> int:
    try:
        return max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    except ValueError:
        return 1


def auto_limit() -> Tuple[int, str]:
    root = os.environ.get("PYTEST_MEMORY_SYSROOT", "/")
    total, source = container_limit(root)
    if total is None:
        total, source = physical_memory(root), "physical memory"
        source = "physical memory %s" % _mb(total)
    workers = worker_count()
    share = int(total * AUTO_SHARE / workers)
    per = " / %d workers" % workers if workers > 1 else ""
    return share, "auto: %d%% of %s%s" % (AUTO_SHARE * 100, source, per)


def _parse_limit(raw: str, where: str) -> Optional[float]:
    """MB as a float, None for off; 'auto' is resolved by the caller."""
    text = raw.strip().lower()
    if text in OFF:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise pytest.UsageError("%s: memory limit %r is not a number of MB, 'auto' or 'off'" % (where, raw))
    return value


def _setting(config: pytest.Config, option: str, flag: str, env: str, key: str) -> Tuple[Optional[str], str]:
    """The raw value and where it came from: command line, then environment, then config file."""
    value = config.getoption(option)
    if value is not None:
        return str(value), "%s=%s" % (flag, value)
    if os.environ.get(env, "").strip():
        return os.environ[env], "environment variable %s" % env
    value = config.getini(key)
    if value:
        name = config.inipath.name if config.inipath else "config"
        return str(value), "%s in %s" % (key, name)
    return None, ""


class Limits:
    def __init__(self, config: pytest.Config, baseline: int = 0) -> None:
        self.notes: List[str] = []
        #: What this process holds before any test; a limit at or below it could never be met.
        self.baseline = baseline
        #: Limits are checked against the baseline where they are decided: in the controller (or the only
        #: process), never in an xdist worker, where raising would crash the controller.
        self.check_baseline = baseline > 0 and not hasattr(config, "workerinput")
        self.execution_explicit = False
        self.execution = self._limit(config, "memory_limit_mb", "--memory-limit-mb", "PYTEST_MEMORY_LIMIT_MB", "memory_limit_mb")
        self.collection = self._limit(
            config, "collection_memory_limit_mb", "--collection-memory-limit-mb", "PYTEST_COLLECTION_LIMIT_MB", "collection_memory_limit_mb"
        )
        raw, where = _setting(config, "memory_limit_action", "--memory-limit-action", "PYTEST_MEMORY_LIMIT_ACTION", "memory_limit_action")
        self.action = (raw or "fail").strip().lower()
        if self.action not in ACTIONS:
            raise pytest.UsageError("%s: memory limit action %r is not one of %s" % (where, raw, ", ".join(ACTIONS)))
        raw = config.getini("memory_report_top") or "5"
        try:
            self.top = int(raw)
            if self.top < 0:
                raise ValueError
        except ValueError:
            raise pytest.UsageError("memory_report_top: %r is not a count of tests" % raw) from None

    def _limit(self, config: pytest.Config, option: str, flag: str, env: str, key: str) -> Optional[int]:
        raw, where = _setting(config, option, flag, env, key)
        if raw is None:
            return None
        collection = key.startswith("collection")
        if raw.strip().lower() == "auto":
            if collection and self.execution and self.execution_explicit:
                # Derived from the limit the user gave, not from the machine: half of it, above the baseline.
                value = int(self.execution * AUTO_COLLECTION_SHARE)
                note = "auto: %d%% of the execution limit %s" % (AUTO_COLLECTION_SHARE * 100, _mb(self.execution))
                if value <= self.baseline:
                    value = self.execution
                    note = "auto: the execution limit %s (half of it is below the %s this process holds)" % (_mb(value), _mb(self.baseline))
            else:
                value, note = auto_limit()
                if collection:
                    value = int(value * AUTO_COLLECTION_SHARE)
                    note = "%d%% of the execution limit, %s" % (AUTO_COLLECTION_SHARE * 100, note)
            self.notes.append("%s %s" % (key, note))
            self._above_baseline(value, "%s (%s)" % (where, note), _mb(value))
            return value or None
        mb = _parse_limit(raw, where)
        if mb is None:
            return None
        # Never 0 (which reads as off): a tiny limit is a limit, and the baseline check says it cannot be met.
        value = max(1, int(mb * MB))
        if not collection:
            self.execution_explicit = True
        self._above_baseline(value, where, "%sMB" % raw.strip())
        return value

    def _above_baseline(self, value: int, where: str, shown: str) -> None:
        if self.check_baseline and value <= self.baseline:
            raise pytest.UsageError(
                "%s: memory limit %s is at or below the %s this pytest process holds before any test runs; "
                "no test could stay under it (raise the limit, or 'off')" % (where, shown, _mb(self.baseline))
            )


# --- the monitor ----------------------------------------------------------------------------------------


class MemoryMonitor:
    def __init__(self, config: pytest.Config, meter: Meter, start: int) -> None:
        self.config = config
        self.meter = meter
        self.limits = Limits(config, meter.rss())
        self.worker = getattr(config, "workerinput", {}).get("workerid")
        self.start = start
        self.after_collection: Optional[int] = None
        self.after_gc: Optional[int] = None
        self.collected: Optional[int] = None
        self.final: Optional[int] = None
        self.peak = 0
        self.top: List[Tuple[int, str]] = []
        self.over: List[Tuple[int, str]] = []
        self.stopped: Optional[str] = None
        self.holding: Optional[Tuple[str, int]] = None
        self.last_peak = 0
        self.last_gc = 0.0
        self.gc_runs = 0
        self.workers: Dict[str, Dict[str, Any]] = {}
        #: The running test's (peak reset?, RSS at its start).
        self.current: Tuple[bool, int] = (False, 0)
        limit = self.limits.execution
        self.pressure = int(limit * PRESSURE) if limit else None

    # Collection ------------------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        meter = self.meter
        self.collected = len(session.items)
        self.peak = max(self.peak, meter.peak())
        rss = self.after_collection = meter.rss()
        limit = self.limits.collection
        if limit and rss > limit * PRESSURE:
            gc.collect()
            self.last_gc = time.monotonic()
            rss = self.after_gc = meter.rss()
        if limit and rss > limit:
            self.stopped = "Memory limit exceeded after collection: %s > %s" % (_mb(rss), _mb(limit))
            if self.worker is not None:
                # Raising in an xdist worker crashes the controller: stop the way xdist expects instead.
                session.shouldstop = self.stopped
                return
            self._write_report(self.config.pluginmanager.get_plugin("terminalreporter"))
            pytest.exit(self.stopped, returncode=EXIT_COLLECTION_MEMORY)

    # Execution -------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Optional[pytest.Item]) -> Any:
        meter = self.meter
        if self.stopped is not None:
            item.add_marker(pytest.mark.skip(reason=self.stopped))
            return (yield)
        if self.pressure is not None and self.last_peak > self.pressure:
            # The last peak bounds the memory held now: only near the limit is a reading worth taking.
            if self._relieve(item):
                return (yield)
        limit = self.limits.execution
        # The baseline of this test: what the process holds as it starts (an earlier test may have kept
        # memory over the limit; this test is judged by what it adds on top).
        before = meter.rss() if limit else 0
        reset = meter.reset_peak()
        self.current = (reset, before)
        try:
            return (yield)
        finally:
            peak = meter.peak() if reset else max(before, meter.rss())
            self.last_peak = peak
            if peak > self.peak:
                self.peak = peak
            top = self.top
            if len(top) < self.limits.top:
                heapq.heappush(top, (peak, item.nodeid))
            elif top and peak > top[0][0]:
                heapq.heapreplace(top, (peak, item.nodeid))
            if limit and over_limit(peak, before, limit):
                self.over.append((peak, item.nodeid))
                self.holding = (item.nodeid, peak)

    def _relieve(self, item: pytest.Item) -> bool:
        """Collect garbage under pressure; True when the test is skipped because memory stays over the limit."""
        meter, limit = self.meter, self.limits.execution
        rss = meter.rss()
        now = time.monotonic()
        if rss > self.pressure and now - self.last_gc >= GC_INTERVAL:
            gc.collect()
            self.gc_runs += 1
            self.last_gc = now
            rss = meter.rss()
        if limit and rss > limit and self.limits.action == "skip":
            culprit = ""
            if self.holding is not None:
                culprit = " since %s peaked at %s" % (self.holding[0], _mb(self.holding[1]))
            item.add_marker(
                pytest.mark.skip(reason="memory limit: process holds %s > limit %s%s" % (_mb(rss), _mb(limit), culprit))
            )
            return True
        return False

    def _end_of_call(self, item: pytest.Item) -> Optional[str]:
        reset, before = self.current
        meter = self.meter
        peak = meter.peak() if reset else max(before, meter.rss())
        limit = self.limits.execution
        if not limit or not over_limit(peak, before, limit):
            return None
        if before > limit:
            return "%s added %s on top of the %s the process already held over the memory limit %s (peak %s)" % (
                item.nodeid,
                _mb(peak - before),
                _mb(before),
                _mb(limit),
                _mb(peak),
            )
        return "%s peaked at %s > memory limit %s" % (item.nodeid, _mb(peak), _mb(limit))

    # Reports ---------------------------------------------------------------------------------------
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.final = self.meter.rss()
        self.peak = max(self.peak, self.final)
        if self.worker is not None:
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.summary()  # type: ignore[attr-defined]

    def summary(self) -> Dict[str, Any]:
        return {
            "start": self.start,
            "after_collection": self.after_collection,
            "after_gc": self.after_gc,
            "collected": self.collected,
            "final": self.final,
            "peak": self.peak,
            "top": sorted(self.top, reverse=True),
            "over": self.over,
            "stopped": self.stopped,
            "limits": self.limits_line(),
        }

    def limits_line(self) -> str:
        def show(v: Optional[int]) -> str:
            return "%dMB" % round(v / MB) if v else "none"

        line = "Memory limits - Collection: %s, Execution: %s (action: %s)" % (
            show(self.limits.collection),
            show(self.limits.execution),
            self.limits.action,
        )
        for note in self.limits.notes:
            line += "\n[MEMORY]   %s" % note
        return line

    def report_lines(self) -> List[str]:
        if self.workers:
            return self._xdist_lines()
        s = self.summary()
        lines = ["Starting pytest with %s memory" % _mb(s["start"]), s["limits"]]
        lines += _run_lines(s, "")
        lines += _top_lines([(p, n) for p, n in s["top"]], self.limits.top)
        lines += ["Over the limit: %s peaked at %s" % (n, _mb(p)) for p, n in s["over"]]
        if self.gc_runs:
            lines.append("Garbage collections under memory pressure: %d" % self.gc_runs)
        if s["stopped"]:
            lines.append(s["stopped"])
        return ["[MEMORY] " + line for line in lines]

    def _xdist_lines(self) -> List[str]:
        lines = ["Starting pytest with %s memory (controller)" % _mb(self.start)]
        first = next(iter(self.workers.values()))
        lines.append(first["limits"] + " per worker")
        top: List[Tuple[int, str]] = []
        final = peak = 0
        stopped = None
        for worker in sorted(self.workers):
            s = self.workers[worker]
            lines += _run_lines(s, "%s: " % worker)
            final += s["final"] or 0
            peak += s["peak"] or 0
            top += [(p, "[%s] %s" % (worker, n)) for p, n in s["top"]]
            lines += ["%s: over the limit: %s peaked at %s" % (worker, n, _mb(p)) for p, n in s["over"]]
            stopped = stopped or s["stopped"]
        lines.append("Total across %d workers: final %s, peak %s (sum of worker peaks)" % (len(self.workers), _mb(final), _mb(peak)))
        lines += _top_lines(top, self.limits.top)
        if stopped:
            lines.append(stopped)
        return ["[MEMORY] " + line for line in lines]

    def _write_report(self, terminal: Any) -> None:
        if terminal is None:
            return
        terminal.write_sep("=", "memory monitor")
        for line in self.report_lines():
            terminal.write_line(line)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        self._write_report(terminalreporter)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if output is not None:
            self.workers[node.workeroutput.get("workerid", node.gateway.id)] = output


def over_limit(peak: int, before: int, limit: int) -> bool:
    """A test's verdict: its peak passed the limit, or, started over it, it added more than noise on top."""
    if before > limit:
        return peak - before > OVER_START_SLACK
    return peak > limit


def _run_lines(s: Dict[str, Any], prefix: str) -> List[str]:
    lines = []
    if s["after_collection"] is not None:
        lines.append("%sAfter collection: %s (%s tests)" % (prefix, _mb(s["after_collection"]), format(s["collected"], ",")))
    if s["after_gc"] is not None:
        lines.append("%sAfter GC: %s" % (prefix, _mb(s["after_gc"])))
    if s["final"] is not None:
        lines.append("%sFinal memory usage: %s" % (prefix, _mb(s["final"])))
    lines.append("%sPeak memory: %s" % (prefix, _mb(s["peak"])))
    return lines


def _top_lines(top: List[Tuple[int, str]], n: int) -> List[str]:
    top = sorted(top, reverse=True)[:n]
    if not top:
        return []
    return ["Highest test peaks:"] + ["  %9s  %s" % (_mb(p), name) for p, name in top]


class _CallLimit:
    """Registered for the fail and warn actions (fail is the default), not for skip."""

    def __init__(self, monitor: MemoryMonitor) -> None:
        self.monitor = monitor

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        result = yield
        message = self.monitor._end_of_call(item)
        if message is not None:
            if self.monitor.limits.action == "fail":
                pytest.fail(message, pytrace=False)
            item.warn(MemoryLimitWarning(message))
        return result


_meter: Optional[Meter] = None
_start = 0


def pytest_addoption(parser: pytest.Parser) -> None:
    global _meter, _start
    # The earliest hook: the reading nearest to "Starting pytest with".
    _meter = Meter()
    _start = _meter.rss()
    group = parser.getgroup("memory", "memory monitor (pytest_memory_plugin)")
    group.addoption("--memory-limit-mb", dest="memory_limit_mb", default=None, help="Memory limit while tests run, in MB, 'auto' or 'off' (env PYTEST_MEMORY_LIMIT_MB)")
    group.addoption(
        "--collection-memory-limit-mb",
        dest="collection_memory_limit_mb",
        default=None,
        help="Memory limit after collection, in MB, 'auto' or 'off' (env PYTEST_COLLECTION_LIMIT_MB)",
    )
    group.addoption(
        "--memory-limit-action",
        dest="memory_limit_action",
        default=None,
        help="Over the limit: fail the test (default), skip the following tests, or warn (env PYTEST_MEMORY_LIMIT_ACTION)",
    )
    parser.addini("memory_limit_mb", "Memory limit while tests run, in MB, 'auto' or 'off'", type="string", default="")
    parser.addini("collection_memory_limit_mb", "Memory limit after collection, in MB, 'auto' or 'off'", type="string", default="")
    parser.addini("memory_limit_action", "Over the memory limit: fail (default), skip or warn", type="string", default="")
    parser.addini("memory_report_top", "How many of the heaviest tests the memory report lists", type="string", default="5")


def pytest_configure(config: pytest.Config) -> None:
    meter = _meter or Meter()
    monitor = MemoryMonitor(config, meter, _start or meter.rss())
    config.pluginmanager.register(monitor, "memory-monitor")
    if monitor.limits.action in ("fail", "warn") and monitor.limits.execution:
        config.pluginmanager.register(_CallLimit(monitor), "memory-monitor-call")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under xdist the controller runs no test: the exit code says that a worker stopped on collection memory.
    monitor = session.config.pluginmanager.get_plugin("memory-monitor")
    if monitor is not None and monitor.workers and any(w["stopped"] for w in monitor.workers.values()):
        session.exitstatus = EXIT_COLLECTION_MEMORY
