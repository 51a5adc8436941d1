// sys/host-info, as Vault's (sudo): the host's CPUs, CPU times, disk usage, host details and
// memory, with gopsutil's field names, read from node:os and, on Linux, /proc. Vault gathers
// what it can and skips what fails; so do we (a field we cannot learn is left out).
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Core } from '../core/core.js';
import { definePath } from '../core/path.js';

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** /proc/cpuinfo's blocks, one per logical CPU, as key → value. */
function cpuinfo(): Array<Record<string, string>> {
  return (read('/proc/cpuinfo') ?? '').split(/\n\s*\n/).filter((b) => b.trim() !== '').map((block) =>
    Object.fromEntries(block.split('\n').map((l) => l.split(':')).filter((p) => p.length >= 2)
      .map(([k, ...v]) => [(k as string).trim(), v.join(':').trim()])));
}

const int = (v: string | undefined) => (v === undefined || v === '' ? 0 : Number.parseInt(v, 10) || 0);

/** gopsutil's cpu.InfoStat per logical CPU. */
function cpus() {
  const info = cpuinfo();
  return os.cpus().map((c, i) => {
    const p = info[i] ?? {};
    return {
      cpu: i, vendorId: p.vendor_id ?? '', family: p['cpu family'] ?? '', model: p.model ?? '',
      stepping: int(p.stepping), physicalId: p['physical id'] ?? '', coreId: p['core id'] ?? '',
      // gopsutil: the "cpu cores" line, 1 where the kernel gives none.
      cores: int(p['cpu cores']) || 1, modelName: p['model name'] ?? c.model, mhz: c.speed, cacheSize: int(p['cache size']),
      flags: (p.flags ?? '').split(' ').filter((f) => f !== ''), microcode: p.microcode ?? '',
    };
  });
}

/**
 * gopsutil's cpu.TimesStat summed over all CPUs ("cpu"), in seconds. Linux: the first line of
 * /proc/stat (clock ticks, 100 per second as gopsutil assumes); elsewhere what node:os knows,
 * which has no iowait, softirq, steal or guest figures, so those are left out.
 */
function cpuTimes() {
  const line = (read('/proc/stat') ?? '').split('\n').find((l) => l.startsWith('cpu '));
  if (line) {
    const [user, nice, system, idle, iowait, irq, softirq, steal, guest, guestNice] = line.trim().split(/\s+/).slice(1).map((v) => Number(v) / 100);
    return [{ cpu: 'cpu', user, system, idle, nice, iowait, irq, softirq, steal, guest, guestNice }];
  }
  const sum = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  for (const c of os.cpus()) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += c.times[k];
  const s = (ms: number) => Math.round(ms / 10) / 100;
  return [{ cpu: 'cpu', user: s(sum.user), system: s(sum.sys), idle: s(sum.idle), nice: s(sum.nice), irq: s(sum.irq) }];
}

/** Real (non-virtual) file systems from /proc/mounts, or just / elsewhere. */
function mountPoints(): Array<{ path: string; fstype: string }> {
  const virtual = new Set(['proc', 'sysfs', 'devpts', 'cgroup', 'cgroup2', 'mqueue', 'securityfs', 'debugfs', 'tracefs',
    'pstore', 'bpf', 'configfs', 'fusectl', 'hugetlbfs', 'autofs', 'binfmt_misc', 'devtmpfs', 'nsfs', 'rpc_pipefs']);
  const mounts = (read('/proc/mounts') ?? '').split('\n').map((l) => l.split(' ')).filter((f) => f.length > 2)
    .map(([, path, fstype]) => ({ path: path as string, fstype: fstype as string })).filter((m) => !virtual.has(m.fstype));
  return mounts.length > 0 ? mounts : [{ path: '/', fstype: '' }];
}

/** gopsutil's disk.UsageStat per mounted file system. */
function disks() {
  const out = [];
  const seen = new Set<string>();
  for (const { path, fstype } of mountPoints()) {
    if (seen.has(path)) continue;
    seen.add(path);
    try {
      const st = statfsSync(path);
      const total = st.blocks * st.bsize;
      const free = st.bavail * st.bsize;
      const used = (st.blocks - st.bfree) * st.bsize;
      const inodesUsed = st.files - st.ffree;
      out.push({
        path, fstype, total, free, used, usedPercent: used + free === 0 ? 0 : (used / (used + free)) * 100,
        inodesTotal: st.files, inodesUsed, inodesFree: st.ffree, inodesUsedPercent: st.files === 0 ? 0 : (inodesUsed / st.files) * 100,
      });
    } catch {
      // Unreadable mount (permissions, a stale network mount): skipped, as gopsutil skips it.
    }
  }
  return out;
}

/** gopsutil's host.InfoStat. */
function host(nowMs: number) {
  const uptime = Math.floor(os.uptime());
  let procs = 0;
  try {
    procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
  } catch {
    procs = 0;
  }
  const release = read('/etc/os-release') ?? '';
  const osField = (k: string) => release.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1).replace(/^"|"$/g, '') ?? '';
  return {
    hostname: os.hostname(), uptime, bootTime: Math.floor(nowMs / 1000) - uptime, procs,
    os: os.platform(), platform: osField('ID'), platformFamily: osField('ID_LIKE'), platformVersion: osField('VERSION_ID'),
    kernelVersion: os.release(), kernelArch: os.machine(), virtualizationSystem: '', virtualizationRole: '',
    hostId: (read('/etc/machine-id') ?? '').trim(),
  };
}

/** gopsutil's mem.VirtualMemoryStat, from /proc/meminfo where there is one. */
function memory() {
  const info: Record<string, number> = {};
  for (const line of (read('/proc/meminfo') ?? '').split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line);
    if (m) info[m[1] as string] = Number(m[2]) * (line.endsWith('kB') ? 1024 : 1);
  }
  const total = info.MemTotal ?? os.totalmem();
  const free = info.MemFree ?? os.freemem();
  const available = info.MemAvailable ?? free;
  const buffers = info.Buffers ?? 0;
  const cached = (info.Cached ?? 0) + (info.SReclaimable ?? 0);
  const used = total - free - buffers - cached;
  return {
    total, available, used, usedPercent: total === 0 ? 0 : (used / total) * 100, free,
    active: info.Active ?? 0, inactive: info.Inactive ?? 0, buffers, cached, shared: info.Shmem ?? 0,
    slab: info.Slab ?? 0, swapTotal: info.SwapTotal ?? 0, swapFree: info.SwapFree ?? 0, swapCached: info.SwapCached ?? 0,
  };
}

export function hostInfoPaths(core: Core) {
  return [
    definePath({
      pattern: 'host-info', sudo: true, fields: {},
      summary: 'Information about the host the server runs on: CPUs, CPU times, disks, host and memory.',
      operations: {
        read: async () => {
          const now = core.clock.now();
          return { data: { timestamp: new Date(now).toISOString(), cpu: cpus(), cpu_times: cpuTimes(), disk: disks(), host: host(now), memory: memory() } };
        },
      },
    }),
  ];
}
