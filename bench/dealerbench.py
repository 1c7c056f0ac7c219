#!/usr/bin/python3
"""formixd's dealer channel: N order files of ROWS rows each dropped at
once into a dealer's in/ and processed by formixd --once (files/s, the
median of ROUNDS drops, against the same work done by formix-order one
process at a time), then
the median time from one file renamed into in/ to its summary in out/ on
an idle daemon.

    dealerbench.py BUILDDIR REFDIR TMPDIR [N [ROWS [SAMPLES [ROUNDS]]]]

REFDIR holds gen.py's import.xml, offers.xml and conditions.xml (from
dealers2xml.py).  Each file has ROWS distinct articles of the catalog in
random quantities, so no two are the same file ("already applied").
"""
import glob, os, random, re, statistics, subprocess, sys, tempfile, time

build, ref, tmp = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
rows = int(sys.argv[5]) if len(sys.argv) > 5 else 100
samples = int(sys.argv[6]) if len(sys.argv) > 6 else 25
rounds = int(sys.argv[7]) if len(sys.argv) > 7 else 3
admin = build + "/cmd/formix-admin"
fxd = build + "/daemon/formixd"
# A new instance each run, the old ones left to bench.sh's cleanup: on
# ext4 without a journal (this machine) every file deleted in the last
# minutes slows the creation of new ones near it, so removing the last
# run's 5,000 files here would measure the removal, not formixd.
inst = tempfile.mkdtemp(prefix="dlr.", dir=tmp)

def sh(*a):
    subprocess.run(a, check=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)

os.rmdir(inst)
sh(admin, "init", inst)
conf = open(inst + "/formix.yaml").read().replace(
    "spool:\n", "spool:\n  settle: 0\n  package_window: 0\n  min_free: 0\n", 1)
open(inst + "/formix.yaml", "w").write(conf)
sh(admin, "-q", "-D", inst, "import", ref + "/import.xml", ref + "/offers.xml",
    ref + "/conditions.xml")
sh(admin, "-D", inst, "user", "add", "bench", "--dealer", "D00001", "--name",
    "Bench", "--entity", "D00001-1", "--perm", "order")
dd = inst + "/spool/dealers/D00001"
os.makedirs(dd)
open(dd + "/channel", "w").write("user bench\nmode auto\n")
sh(fxd, "-D", inst, "--once")		# makes in/ and out/
arts = re.findall(r"<Артикул>([^<]+)</Артикул>",
    open(ref + "/import.xml", encoding="utf-8").read())
rnd = random.Random(1)
stage = inst + "/stage"
os.makedirs(stage)

def make(name):
    body = "Артикул;Количество\n" + "".join(
        "%s;%d\n" % (a, rnd.randint(1, 20)) for a in rnd.sample(arts, rows))
    open(stage + "/" + name, "w", encoding="utf-8").write(body)

# Throughput: ROUNDS drops of N files into the same instance, the median.
# Statuses are counted over the last round's summaries.
rates = []
for rd in range(rounds):
    names = ["r%d-o%05d.csv" % (rd, i) for i in range(n)]
    # From a quiet disk: what earlier bench sections left to write back
    # would slow the first round.  The files of the drop are written after
    # it, as a burst of uploads would be, and their writeback counts.
    os.sync()
    for nm in names:
        make(nm)
    t0 = time.perf_counter()
    for nm in names:
        os.rename(stage + "/" + nm, dd + "/in/" + nm)
    subprocess.run([fxd, "-D", inst, "--once"], check=True,
        stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    got = glob.glob(dd + "/out/r%d-o*.txt" % rd)
    if len(got) != n:
        sys.exit("dealerbench: %d summaries of %d files" % (len(got), n))
    rates.append(n / dt)
st = {}
for f in got:
    for l in open(f, encoding="utf-8"):
        if l.startswith("status: "):
            st[l[8:].strip()] = st.get(l[8:].strip(), 0) + 1

# Baseline: what a script in a dealer's back office would run for each
# file with the command-line tools: the check with its result workbook,
# the draft, its submission -- one process each.
order = build + "/cmd/formix-order"
env = dict(os.environ, FORMIX_ROOT=inst)
nb = max(n // 20, 10)
for i in range(nb):
    make("b%05d.csv" % i)
t0 = time.perf_counter()
for i in range(nb):
    f = "%s/b%05d.csv" % (stage, i)
    subprocess.run([order, "check", f, "--entity", "D00001-1", "-o",
        f + ".result.xlsx"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    p = subprocess.run([order, "new", f, "--entity", "D00001-1", "--tsv"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    num = p.stderr.decode().split("draft order ")[1].split(":")[0]
    subprocess.run([order, "submit", num], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = nb / (time.perf_counter() - t0)
m = statistics.median(rates)
print("formixd --once, %d dealer order files of %d rows dropped at once: "
    "median %.0f files/s over %d rounds (%s; %s)   the same work by "
    "formix-order, three processes a file: %.0f files/s   ratio %.2f "
    "(target > 200 files/s)" % (n, rows, m, rounds,
    " ".join("%.0f" % r for r in rates),
    ", ".join("%s %d" % kv for kv in sorted(st.items())), base, m / base))

os.sync()
for i in range(samples):
    make("l%03d.csv" % i)
d = subprocess.Popen([fxd, "-D", inst, "-d"], stderr=subprocess.PIPE)
while True:
    line = d.stderr.readline().decode()
    if line.startswith("started on") or not line:
        break
lat = []
for i in range(samples):
    name = "l%03d.csv" % i
    t0 = time.perf_counter()
    os.rename(stage + "/" + name, dd + "/in/" + name)
    pat = "%s/out/%s.*.txt" % (dd, name)
    while not glob.glob(pat):
        time.sleep(0.0002)
    lat.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.05)
d.terminate()
d.wait()
print("formixd drop-to-result latency, one dealer order file of %d rows on "
    "an idle daemon: median %.1f ms (min %.1f, max %.1f, %d files)" %
    (rows, statistics.median(lat), min(lat), max(lat), samples))
