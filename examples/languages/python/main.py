#!/usr/bin/env python
# The app every language writes (TypeScript, Java and Go beside this folder):
# the agents' namespace, the AgentType CRD and the operator install; four
# agents (a plain image; code from git with an SDK, glue code and a secret
# variable; the tool sidecar with custom and MCP tools; Redis memory and two
# LLM providers with fallback, also declared as an AgentType); then the dev
# and prod overlays, written as folders and as a kustomize tree.
#
# Run: python main.py <outdir>, in a venv holding requirements.txt
#      (python -m venv .venv && .venv/bin/pip install -r requirements.txt);
#      test/polyglot/run-app.sh python <outdir> runs it on the wheel built here.
# A test runs the four apps and checks their outputs are the same, byte for byte.
import os
import sys

from cdk8s import ApiObjectMetadata, App, Chart, JsonPatch, YamlOutputType
from cdk8s_agents import (
    AgentEnvironment,
    AgentNamespace,
    AgentOperator,
    AgentPod,
    AgentRuntime,
    AgentScaling,
    AgentSource,
    AgentType,
    AgentTypeCrd,
    CodeSource,
    CustomTool,
    EnvironmentPreset,
    FeaturePreset,
    GlueCode,
    ImageOverride,
    LlmCredentials,
    LlmProvider,
    McpServer,
    MemoryBackend,
    MemoryProfile,
    Overlay,
    Patch,
    PatchTarget,
    ReplicaOverride,
    SdkOptions,
    SecretKeyReference,
    ToolSidecar,
)

outdir = sys.argv[1] if len(sys.argv) > 1 else "dist"
app = App(outdir=outdir, yaml_output_type=YamlOutputType.FILE_PER_CHART)

# The platform: namespace, CRD, operator.
platform = Chart(app, "platform")
AgentNamespace(platform, "agents-namespace", name="agents")
crd = AgentTypeCrd(platform, "crd")
AgentOperator(
    platform,
    "operator",
    image="registry.example.com/agents/agent-operator:0.1.0",
    crd=crd,
    watch_namespaces=["agents"],
)

agents = Chart(app, "agents", namespace="agents")
agents.add_dependency(platform)

# A plain image.
AgentPod(
    agents,
    "basic-agent",
    source=AgentSource.image("nginx:1.27.3", command=["nginx", "-g", "daemon off;"]),
)

# Code from git, a Python SDK, glue code and a variable from a Secret.
environment = AgentEnvironment(
    variables={"LOG_LEVEL": "debug"},
    sdk=SdkOptions(runtime=AgentRuntime.PYTHON, version="3.12", packages=["httpx", "pydantic"]),
    glue_code=GlueCode.from_inline("glue.py", "def handler(event):\n    return event\n"),
)
environment.add_secret_variable("API_KEY", name="code-agent-api", key="api-key")
AgentPod(
    agents,
    "code-agent",
    source=AgentSource.code(
        source=CodeSource.git(repository="https://github.com/example/agent", path="/src", revision="v1.2.0"),
        runtime=AgentRuntime.PYTHON,
        version="3.12",
    ),
    environment=environment,
)

# The tool sidecar (LiteLLM's proxy) with a checked download and MCP servers.
tools = ToolSidecar(
    image=ToolSidecar.LITELLM_IMAGE,
    required=["python3"],
    optional=["kubectl"],
    custom=[
        CustomTool(
            name="custom-tool",
            version="1.0",
            source="https://example.com/tools/custom-tool",
            sha256="5f0c7bcfc47b6a6c1d0b3f2a5e6d8c9b0a1f2e3d4c5b6a79887766554433221f",
        )
    ],
)
tools.add_mcp_server(
    McpServer.remote(
        name="search",
        url="https://mcp.example.com/mcp",
        headers={"Authorization": SecretKeyReference(name="search-mcp", key="authorization")},
    )
)
tools.add_mcp_server(McpServer.stdio(name="files", command="mcp-server-filesystem", args=["/shared"]))
AgentPod(
    agents,
    "tooled-agent",
    source=AgentSource.image("registry.example.com/agents/base-agent:1.0.0", command=["/usr/local/bin/agent"]),
    tool_sidecar=tools,
)

# Redis memory and two LLM providers (main, then fallback), also as an AgentType.
full = AgentPod(
    agents,
    "full-agent",
    source=AgentSource.image("registry.example.com/agents/advanced-agent:1.0.0", command=["/usr/local/bin/agent"]),
    tool_sidecar=ToolSidecar(image=ToolSidecar.LITELLM_IMAGE, required=["python3"]),
    memory=MemoryProfile.from_size("1Gi", MemoryBackend.redis(address="redis.agents.svc:6379")),
    llm_providers=[
        LlmProvider.anthropic(
            name="main-llm", model="claude-sonnet-4-5", credentials=LlmCredentials(secret_name="anthropic-credentials")
        ),
        LlmProvider.openai(
            name="backup-llm", model="gpt-4o", credentials=LlmCredentials(secret_name="openai-credentials")
        ),
    ],
    scaling=AgentScaling(min_replicas=2, max_replicas=5, cpu_utilization=80),
)
AgentType(
    agents, "full-agent-type", metadata=ApiObjectMetadata(name="full-agent"), spec=full.to_agent_type_spec(), crd=crd
)


# dev and prod; prod pins every image to a digest (placeholders here).
def digest(n: int) -> str:
    return f"sha256:{str(n) * 64}"


overlays = [
    Overlay(
        name="dev",
        components=[EnvironmentPreset.dev(), FeaturePreset.tools_complete(), FeaturePreset.apis_development()],
    ),
    Overlay(
        name="prod",
        name_prefix="prod-",
        components=[EnvironmentPreset.prod(), FeaturePreset.memory_large(), FeaturePreset.apis_production()],
        images=[
            ImageOverride(name="nginx", digest=digest(1)),
            ImageOverride(name="python", digest=digest(2)),
            ImageOverride(name="busybox", digest=digest(3)),
            ImageOverride(name="ghcr.io/berriai/litellm", digest=digest(4)),
            ImageOverride(name="registry.example.com/agents/agent-operator", digest=digest(5)),
            ImageOverride(name="registry.example.com/agents/base-agent", digest=digest(6)),
            ImageOverride(name="registry.example.com/agents/advanced-agent", digest=digest(7)),
        ],
        replicas=[ReplicaOverride(name="basic-agent", count=3)],
        patches=[
            Patch.json6902(
                PatchTarget(kind="HorizontalPodAutoscaler", name="full-agent"),
                JsonPatch.replace("/spec/maxReplicas", 10),
            ),
            Patch.strategic_merge(
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "full-agent", "namespace": "agents"},
                    "spec": {"template": {"spec": {"terminationGracePeriodSeconds": 90}}},
                }
            ),
        ],
    ),
]

app.synth()
Overlay.synth(app, overlays, kustomize_outdir=os.path.join(outdir, "kustomize"))
