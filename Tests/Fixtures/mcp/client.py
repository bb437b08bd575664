"""Drives `reachproof mcp` with the Python MCP client (pip install mcp) over stdio.

usage: client.py REACHPROOF_BINARY PACKAGE_ROOT
Prints one line per check that passed; exits non-zero with the reason on the first that fails.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def field(obj, name: str):
    """A result field by its protocol name (camelCase) or the client's Python name (snake_case)."""
    if hasattr(obj, name):
        return getattr(obj, name)
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
    return getattr(obj, snake)


async def main(binary: str, root: str) -> None:
    params = StdioServerParameters(command=binary, args=["mcp"], cwd=root)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            assert field(info, "serverInfo").name == "reachproof", info
            tools = sorted(t.name for t in (await session.list_tools()).tools)
            assert tools == ["check", "diff", "explain", "lint", "map", "query"], tools
            print("tools", ",".join(tools))

            checked = await session.call_tool("check", {"config": "examples/verrazzano"})
            assert not field(checked, "isError"), checked
            verdicts = [c["verdict"] for c in field(checked, "structuredContent")["result"]]
            assert verdicts.count("PROVED") == 13 and verdicts.count("REFUTED") == 4, verdicts
            refuted = next(c for c in field(checked, "structuredContent")["result"] if c["verdict"] == "REFUTED")
            assert refuted["counterexamples"], refuted
            print("check", len(verdicts))

            asked = await session.call_tool(
                "query",
                {
                    "paths": ["examples/verrazzano"],
                    "from": "verrazzano-ingress-nginx/ingress-controller",
                    "to": "verrazzano-system/verrazzano-authproxy",
                    "port": "TCP/8775",
                },
            )
            answer = json.loads(asked.content[0].text)
            assert answer["answer"] == "ALLOWED" and answer["assumptions"], answer
            print("query", answer["answer"])

            explained = await session.call_tool(
                "explain", {"paths": ["examples/gateway-api"], "from": "external:203.0.113.0/24",
                            "to": "reports/reporting", "port": "TCP/7000", "host": "www.shop.example.com",
                            "path": "/reports/q3", "via": "route:shop/storefront"})
            assert "no ReferenceGrant in reports" in explained.content[0].text, explained
            print("explain DENIED")

            mapped = await session.call_tool("map", {"paths": ["examples/gateway-api"], "workload": "payments/checkout"})
            assert not field(mapped, "isError") and "edge/public-istio" in mapped.content[0].text, mapped
            linted = await session.call_tool("lint", {"paths": ["examples/gateway-api"]})
            assert "gateway-backend-without-grant" in linted.content[0].text, linted
            diffed = await session.call_tool(
                "diff", {"base": ["examples/online-boutique/app"], "head": ["examples/online-boutique"]})
            assert json.loads(diffed.content[0].text)["closed"] > 0, diffed
            print("map lint diff")

            # Errors are tool errors, and the server keeps serving.
            for name, args in [("check", {"paths": ["no/such/dir"], "claims": ["x.yaml"]}),
                               ("query", {"paths": ["examples/verrazzano"], "from": "nope/nope", "to": "x/y"}),
                               ("map", {"paths": ["examples/verrazzano"]}),
                               ("teleport", {})]:
                failed = await session.call_tool(name, args)
                assert field(failed, "isError"), (name, failed)
            print("errors 4")

            # Load: many calls at once, all answered.
            calls = [session.call_tool("lint", {"paths": ["examples/guestbook"]}) for _ in range(16)]
            answers = await asyncio.gather(*calls)
            assert all(not field(a, "isError") for a in answers), answers
            print("concurrent", len(answers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
