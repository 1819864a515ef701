"""Glue code placed on the shared volume by the init container.

The wrapper entrypoint puts /shared/glue on PYTHONPATH, so the agent can
`import gluecode` to reach the tool-manager sidecar.
"""
import os

TOOL_MANAGER_ENDPOINT = os.environ.get("TOOL_MANAGER_ENDPOINT", "http://localhost:9000")


def tool_url(tool: str) -> str:
    return f"{TOOL_MANAGER_ENDPOINT}/tools/{tool}"
