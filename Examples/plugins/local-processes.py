#!/usr/bin/env python3
"""An example AutoGit fleeting plugin for the `exec` plugin (protocol version 1, see Docs/plugins.md).

It runs each runner agent as a local process and keeps what it started in a JSON file under `state_dir`, so it
shows everything a real plugin does: read one request on stdin, answer one JSON object on stdout, keep state between
runs, stay idempotent, report partial success. Replace the process calls with your cloud's API and it is a cloud
plugin.

Settings (under "config" in the provider's settings):
  state_dir      where instances.json and the agents' logs live (required)
  max_instances  the most agents at once (default 4)
  stop_timeout   seconds between SIGTERM and SIGKILL (default 5)
  offers         the offers to advertise (default one CPU-only offer, "local-cpu"); a machine with GPUs would say
                 [{"id": "a100x1", "gpu_type": "a100", "gpu_count": 1, "hourly_price": 1.1}]

Only the Python standard library is used.
"""
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

PROTOCOL_VERSION = 1


class PluginError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def log(message):
    # Standard error is the plugin's log; AutoGit quotes its end when a call fails.
    print(f"local-processes: {message}", file=sys.stderr)


def process_alive(pid):
    """Whether pid runs and is not a zombie (an exited process its parent has not collected)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


class State:
    """instances.json, locked for the whole request so that concurrent calls do not lose updates."""

    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        self.directory = directory
        self.path = os.path.join(directory, "instances.json")
        self.lock = open(os.path.join(directory, "lock"), "w")
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            with open(self.path) as file:
                self.instances = json.load(file)
        except FileNotFoundError:
            self.instances = {}

    def save(self):
        temporary = self.path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(self.instances, file, indent=2, sort_keys=True)
        os.replace(temporary, self.path)


# Each method returns (result, error): error is None, or {"code", "message"} alongside a partial result.


def instance_json(instance_id, record):
    alive = process_alive(int(instance_id))
    return {
        "id": instance_id,
        "state": "running" if alive else "gone",
        "runner_name": record["runner_name"],
        "shape": record.get("shape", {}),
        "created_at": record.get("created_at"),
        "metadata": {"pid": instance_id, "log": record.get("log", "")},
    }


def initialize(config, state, params):
    return {
        "name": "local-processes",
        "version": "1",
        "max_instances": int(config.get("max_instances", 4)),
        "capabilities": [],
        "offers": config.get("offers", [{"id": "local-cpu", "gpu_count": 0, "hourly_price": 0}]),
    }, None


def provision(config, state, params):
    limit = int(config.get("max_instances", 4))
    created = []
    for agent in params["instances"]:
        alive = sum(1 for pid in state.instances if process_alive(int(pid)))
        if alive >= limit:
            # Partial success: report what was started, and why the rest was not.
            error = {"code": "PLUGIN_REJECTED", "message": f"max_instances ({limit}) reached"}
            return {"instances": created}, error
        log_path = os.path.join(state.directory, agent["runner_name"] + ".log")
        environment = dict(os.environ)
        environment.update(agent["environment"])
        try:
            with open(log_path, "ab") as output:
                process = subprocess.Popen(
                    agent["command"],
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own session: killpg reaches its whole tree
                )
        except OSError as error:
            return {"instances": created}, {"code": "PLUGIN_UNAVAILABLE", "message": f"cannot start the agent: {error}"}
        record = {
            "runner_name": agent["runner_name"],
            "shape": params.get("shape", {}),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "log": log_path,
        }
        state.instances[str(process.pid)] = record
        state.save()
        log(f"started {agent['runner_name']} as pid {process.pid}")
        created.append(instance_json(str(process.pid), record))
    return {"instances": created}, None


def deprovision(config, state, params):
    grace = float(config.get("stop_timeout", 5))
    targets = [i for i in params["ids"] if i in state.instances and process_alive(int(i))]
    for instance_id in targets:
        try:
            os.killpg(int(instance_id), signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(process_alive(int(i)) for i in targets):
        time.sleep(0.05)
    for instance_id in targets:
        if process_alive(int(instance_id)):
            try:
                os.killpg(int(instance_id), signal.SIGKILL)
            except ProcessLookupError:
                pass
    for instance_id in params["ids"]:
        state.instances.pop(instance_id, None)
    state.save()
    # Idempotent: ids that were already gone, or never ours, are reported removed too.
    return {"removed": params["ids"]}, None


def list_instances(config, state, params):
    instances = []
    for instance_id, record in sorted(state.instances.items()):
        if process_alive(int(instance_id)):
            instances.append(instance_json(instance_id, record))
        else:
            log(f"{record['runner_name']} (pid {instance_id}) is gone")
    return {"instances": instances}, None


def status(config, state, params):
    record = state.instances.get(params["id"])
    if record is None or not process_alive(int(params["id"])):
        return {"state": "gone"}, None
    return {"state": "running"}, None


def connect_info(config, state, params):
    record = state.instances.get(params["id"])
    if record is None:
        raise PluginError("NOT_FOUND", f"no instance {params['id']}")
    return {"protocol": "local", "address": "127.0.0.1", "metadata": {"pid": params["id"], "log": record["log"]}}, None


METHODS = {
    "initialize": initialize,
    "provision": provision,
    "deprovision": deprovision,
    "list": list_instances,
    "status": status,
    "connect_info": connect_info,
}


def main():
    response = {"protocol_version": PROTOCOL_VERSION}
    try:
        request = json.load(sys.stdin)
        if request.get("protocol_version") != PROTOCOL_VERSION:
            raise PluginError("PLUGIN_PROTOCOL", f"protocol version {request.get('protocol_version')} is not supported")
        method = METHODS.get(request.get("method"))
        if method is None:
            raise PluginError("METHOD_NOT_SUPPORTED", f"unknown method {request.get('method')!r}")
        config = request.get("settings") or {}
        if "state_dir" not in config:
            raise PluginError("PLUGIN_CONFIGURATION", "settings.config.state_dir is required")
        state = State(config["state_dir"])
        result, error = method(config, state, request.get("params") or {})
        response["result"] = result
        if error:
            response["error"] = error
    except PluginError as error:
        response["error"] = {"code": error.code, "message": error.message}
    except Exception as error:  # anything unexpected is still answered as JSON
        response["error"] = {"code": "PLUGIN_UNAVAILABLE", "message": f"{type(error).__name__}: {error}"}
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")
    return 0 if "error" not in response else 1


if __name__ == "__main__":
    sys.exit(main())
