import asyncio, shutil, sys, time
from benchmarks import hall
from benchmarks._server import server_process, ServerProcess
orig_stop, orig_start = ServerProcess.stop, ServerProcess.start
def stop(self, **kw):
    t = time.monotonic(); orig_stop(self, **kw); print("stop took", time.monotonic() - t, flush=True)
def start(self):
    t = time.monotonic(); r = orig_start(self); print("start took", time.monotonic() - t, flush=True); return r
ServerProcess.stop, ServerProcess.start = stop, start
opts = hall.parse(["storm", "--phones", sys.argv[1]] + sys.argv[2:])
with server_process() as p:
    try:
        print(asyncio.run(hall.storm(p, opts)))
    finally:
        shutil.copy(p.log_path, "/tmp/fanout_storm_server.log")
