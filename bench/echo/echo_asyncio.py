"""The same echo benchmark with CPython asyncio streams (or uvloop with --uvloop):
one process, one thread, server and clients on one loop.
    python3 echo_asyncio.py [--uvloop] pingpong [round_trips] | stream [connections] [messages]
"""
import asyncio
import sys
import time


async def serve(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def client(port, messages, size):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    message = b"x" * size
    total = 0
    for _ in range(messages):
        writer.write(message)
        await writer.drain()
        total += len(await reader.readexactly(size))
    writer.close()
    return total


async def bench(impl, mode, connections, messages):
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    size = 64 if mode == "pingpong" else 4096
    start = time.perf_counter()
    results = await asyncio.gather(*(client(port, messages, size) for _ in range(connections)))
    seconds = time.perf_counter() - start
    total = sum(results)
    requests = connections * messages
    print(f"impl={impl} workload={mode} requests={requests} seconds={seconds:.4f} "
          f"us_per_request={seconds * 1e6 / requests:.3f} requests_per_s={requests / seconds:.0f} "
          f"mb_per_s={2 * total / seconds / 1e6:.1f} check_bytes={total}")
    server.close()
    await server.wait_closed()


def main():
    args = sys.argv[1:]
    impl = "asyncio"
    if args and args[0] == "--uvloop":
        import uvloop
        uvloop.install()
        impl = "uvloop"
        args = args[1:]
    mode = args[0] if args else "pingpong"
    if mode == "pingpong":
        connections, messages = 1, int(args[1]) if len(args) > 1 else 20000
    else:
        connections = int(args[1]) if len(args) > 1 else 100
        messages = int(args[2]) if len(args) > 2 else 200
    asyncio.run(bench(impl, mode, connections, messages))


main()
