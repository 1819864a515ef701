// The app every language writes (TypeScript, Python and Go beside this folder):
// the agents' namespace, the AgentType CRD and the operator install; four
// agents (a plain image; code from git with an SDK, glue code and a secret
// variable; the tool sidecar with custom and MCP tools; Redis memory and two
// LLM providers with fallback, also declared as an AgentType); then the dev
// and prod overlays, written as folders and as a kustomize tree.
//
// Run (in examples/languages/java): mvn compile exec:java -Dexec.args=<outdir>
// A test runs the four apps and checks their outputs are the same, byte for byte.
package dev.cdk8sagents.examples;

import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import org.cdk8s.ApiObjectMetadata;
import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.JsonPatch;
import org.cdk8s.YamlOutputType;

import dev.cdk8sagents.AgentEnvironment;
import dev.cdk8sagents.AgentNamespace;
import dev.cdk8sagents.AgentOperator;
import dev.cdk8sagents.AgentPod;
import dev.cdk8sagents.AgentRuntime;
import dev.cdk8sagents.AgentScaling;
import dev.cdk8sagents.AgentSource;
import dev.cdk8sagents.AgentType;
import dev.cdk8sagents.AgentTypeCrd;
import dev.cdk8sagents.CodeSource;
import dev.cdk8sagents.CodeSourceOptions;
import dev.cdk8sagents.CustomTool;
import dev.cdk8sagents.EnvironmentPreset;
import dev.cdk8sagents.FeaturePreset;
import dev.cdk8sagents.GitSourceOptions;
import dev.cdk8sagents.GlueCode;
import dev.cdk8sagents.ImageOverride;
import dev.cdk8sagents.ImageSourceOptions;
import dev.cdk8sagents.LlmCredentials;
import dev.cdk8sagents.LlmProvider;
import dev.cdk8sagents.LlmProviderOptions;
import dev.cdk8sagents.McpRemoteServerOptions;
import dev.cdk8sagents.McpServer;
import dev.cdk8sagents.McpStdioServerOptions;
import dev.cdk8sagents.MemoryBackend;
import dev.cdk8sagents.MemoryProfile;
import dev.cdk8sagents.Overlay;
import dev.cdk8sagents.OverlaySynthOptions;
import dev.cdk8sagents.Patch;
import dev.cdk8sagents.PatchTarget;
import dev.cdk8sagents.RedisBackendOptions;
import dev.cdk8sagents.ReplicaOverride;
import dev.cdk8sagents.SdkOptions;
import dev.cdk8sagents.SecretKeyReference;
import dev.cdk8sagents.ToolSidecar;

public final class Main {
  private Main() {
  }

  public static void main(final String[] args) {
    final String outdir = args.length > 0 ? args[0] : "dist";
    final App app = App.Builder.create().outdir(outdir).yamlOutputType(YamlOutputType.FILE_PER_CHART).build();

    // The platform: namespace, CRD, operator.
    final Chart platform = new Chart(app, "platform");
    AgentNamespace.Builder.create(platform, "agents-namespace").name("agents").build();
    final AgentTypeCrd crd = new AgentTypeCrd(platform, "crd");
    AgentOperator.Builder.create(platform, "operator")
        .image("registry.example.com/agents/agent-operator:0.1.0")
        .crd(crd)
        .watchNamespaces(List.of("agents"))
        .build();

    final Chart agents = Chart.Builder.create(app, "agents").namespace("agents").build();
    agents.addDependency(platform);

    // A plain image.
    AgentPod.Builder.create(agents, "basic-agent")
        .source(AgentSource.image("nginx:1.27.3", ImageSourceOptions.builder()
            .command(List.of("nginx", "-g", "daemon off;"))
            .build()))
        .build();

    // Code from git, a Python SDK, glue code and a variable from a Secret.
    final AgentEnvironment environment = AgentEnvironment.Builder.create()
        .variables(Map.of("LOG_LEVEL", "debug"))
        .sdk(SdkOptions.builder().runtime(AgentRuntime.PYTHON).version("3.12").packages(List.of("httpx", "pydantic")).build())
        .glueCode(GlueCode.fromInline("glue.py", "def handler(event):\n    return event\n"))
        .build();
    environment.addSecretVariable("API_KEY", SecretKeyReference.builder().name("code-agent-api").key("api-key").build());
    AgentPod.Builder.create(agents, "code-agent")
        .source(AgentSource.code(CodeSourceOptions.builder()
            .source(CodeSource.git(GitSourceOptions.builder()
                .repository("https://github.com/example/agent")
                .path("/src")
                .revision("v1.2.0")
                .build()))
            .runtime(AgentRuntime.PYTHON)
            .version("3.12")
            .build()))
        .environment(environment)
        .build();

    // The tool sidecar (LiteLLM's proxy) with a checked download and MCP servers.
    final ToolSidecar tools = ToolSidecar.Builder.create()
        .image(ToolSidecar.LITELLM_IMAGE)
        .required(List.of("python3"))
        .optional(List.of("kubectl"))
        .custom(List.of(CustomTool.builder()
            .name("custom-tool")
            .version("1.0")
            .source("https://example.com/tools/custom-tool")
            .sha256("5f0c7bcfc47b6a6c1d0b3f2a5e6d8c9b0a1f2e3d4c5b6a79887766554433221f")
            .build()))
        .build();
    tools.addMcpServer(McpServer.remote(McpRemoteServerOptions.builder()
        .name("search")
        .url("https://mcp.example.com/mcp")
        .headers(Map.of("Authorization", SecretKeyReference.builder().name("search-mcp").key("authorization").build()))
        .build()));
    tools.addMcpServer(McpServer.stdio(McpStdioServerOptions.builder()
        .name("files")
        .command("mcp-server-filesystem")
        .args(List.of("/shared"))
        .build()));
    AgentPod.Builder.create(agents, "tooled-agent")
        .source(AgentSource.image("registry.example.com/agents/base-agent:1.0.0", ImageSourceOptions.builder()
            .command(List.of("/usr/local/bin/agent"))
            .build()))
        .toolSidecar(tools)
        .build();

    // Redis memory and two LLM providers (main, then fallback), also as an AgentType.
    final AgentPod full = AgentPod.Builder.create(agents, "full-agent")
        .source(AgentSource.image("registry.example.com/agents/advanced-agent:1.0.0", ImageSourceOptions.builder()
            .command(List.of("/usr/local/bin/agent"))
            .build()))
        .toolSidecar(ToolSidecar.Builder.create().image(ToolSidecar.LITELLM_IMAGE).required(List.of("python3")).build())
        .memory(MemoryProfile.fromSize("1Gi", MemoryBackend.redis(RedisBackendOptions.builder()
            .address("redis.agents.svc:6379")
            .build())))
        .llmProviders(List.of(
            LlmProvider.anthropic(LlmProviderOptions.builder()
                .name("main-llm")
                .model("claude-sonnet-4-5")
                .credentials(LlmCredentials.builder().secretName("anthropic-credentials").build())
                .build()),
            LlmProvider.openai(LlmProviderOptions.builder()
                .name("backup-llm")
                .model("gpt-4o")
                .credentials(LlmCredentials.builder().secretName("openai-credentials").build())
                .build())))
        .scaling(AgentScaling.builder().minReplicas(2).maxReplicas(5).cpuUtilization(80).build())
        .build();
    AgentType.Builder.create(agents, "full-agent-type")
        .metadata(ApiObjectMetadata.builder().name("full-agent").build())
        .spec(full.toAgentTypeSpec())
        .crd(crd)
        .build();

    // dev and prod; prod pins every image to a digest (placeholders here).
    final List<Overlay> overlays = List.of(
        Overlay.Builder.create()
            .name("dev")
            .components(List.of(EnvironmentPreset.dev(), FeaturePreset.toolsComplete(), FeaturePreset.apisDevelopment()))
            .build(),
        Overlay.Builder.create()
            .name("prod")
            .namePrefix("prod-")
            .components(List.of(EnvironmentPreset.prod(), FeaturePreset.memoryLarge(), FeaturePreset.apisProduction()))
            .images(List.of(
                ImageOverride.builder().name("nginx").digest(digest(1)).build(),
                ImageOverride.builder().name("python").digest(digest(2)).build(),
                ImageOverride.builder().name("busybox").digest(digest(3)).build(),
                ImageOverride.builder().name("ghcr.io/berriai/litellm").digest(digest(4)).build(),
                ImageOverride.builder().name("registry.example.com/agents/agent-operator").digest(digest(5)).build(),
                ImageOverride.builder().name("registry.example.com/agents/base-agent").digest(digest(6)).build(),
                ImageOverride.builder().name("registry.example.com/agents/advanced-agent").digest(digest(7)).build()))
            .replicas(List.of(ReplicaOverride.builder().name("basic-agent").count(3).build()))
            .patches(List.of(
                Patch.json6902(PatchTarget.builder().kind("HorizontalPodAutoscaler").name("full-agent").build(),
                    JsonPatch.replace("/spec/maxReplicas", 10)),
                Patch.strategicMerge(Map.of(
                    "apiVersion", "apps/v1",
                    "kind", "Deployment",
                    "metadata", Map.of("name", "full-agent", "namespace", "agents"),
                    "spec", Map.of("template", Map.of("spec", Map.of("terminationGracePeriodSeconds", 90)))))))
            .build());

    app.synth();
    Overlay.synth(app, overlays, OverlaySynthOptions.builder()
        .kustomizeOutdir(Paths.get(outdir, "kustomize").toString())
        .build());
  }

  private static String digest(final int n) {
    return "sha256:" + String.valueOf(n).repeat(64);
  }
}
