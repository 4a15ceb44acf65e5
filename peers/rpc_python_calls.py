# Calls an XML-RPC server with Python's own client (xmlrpc.client), as the lab's Python clients do.
# argv: URL, then a JSON list of [method, [params…]] or ["multicall", [[method, [params…]]…]].
# Prints one JSON line per call: {"result", "type"} or {"fault": [code, string]} or {"error": …}.
import json
import sys
import xmlrpc.client


def describe(value):
    return {"result": value, "type": type(value).__name__}


proxy = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)
for method, params in json.loads(sys.argv[2]):
    try:
        if method == "multicall":
            batch = xmlrpc.client.MultiCall(proxy)
            for name, args in params:
                getattr(batch, name)(*args)
            # The raw answers: [value] for a success, {faultCode, faultString} for a fault.
            print(json.dumps({"multicall": batch().results}))
        else:
            print(json.dumps(describe(getattr(proxy, method)(*params))))
    except xmlrpc.client.Fault as fault:
        print(json.dumps({"fault": [fault.faultCode, fault.faultString]}))
    except xmlrpc.client.ProtocolError as error:
        print(json.dumps({"error": f"ProtocolError {error.errcode} {error.errmsg}"}))
    sys.stdout.flush()
