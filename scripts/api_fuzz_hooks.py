"""Schemathesis hooks for scripts/api-fuzz.mjs.

Each generated request comes from its own client address (`cf-connecting-ip`,
as Cloudflare sets it), the way many clients reach a real deployment. From one
address, the worker's per-IP limits (conversations per minute, failed
sign-ins) would soon answer every request 429 and leave the logic behind it
untested; the limits themselves are tested in e2e/edge/.
"""
import itertools

import schemathesis

_addresses = itertools.count(1)


@schemathesis.hook
def before_call(context, case, kwargs):
    n = next(_addresses)
    # 2001:db8::/32 is reserved for documentation: never a real client. Each
    # address in a /64 of its own: the worker counts an IPv6 client by its /64.
    case.headers = {**(case.headers or {}), "cf-connecting-ip": f"2001:db8:{n // 65536:x}:{n % 65536:x}::1"}
