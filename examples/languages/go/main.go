// The app every language writes (TypeScript, Python and Java beside this
// folder): the agents' namespace, the AgentType CRD and the operator install;
// four agents (a plain image; code from git with an SDK, glue code and a
// secret variable; the tool sidecar with custom and MCP tools; Redis memory
// and two LLM providers with fallback, also declared as an AgentType); then
// the dev and prod overlays, written as folders and as a kustomize tree.
//
// Run (in this folder): go run . <outdir>
// Until cdk8s-agents and cdk8s's Go bindings are on the Go module proxy, a copy
// of this folder needs the replace lines of test/polyglot/install.sh go;
// test/polyglot/run-app.sh go <outdir> makes that copy and runs it.
// A test runs the four apps and checks their outputs are the same, byte for byte.
package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-agents/cdk8s-agents-go/cdk8sagents"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func main() {
	outdir := "dist"
	if len(os.Args) > 1 {
		outdir = os.Args[1]
	}
	app := cdk8s.NewApp(&cdk8s.AppProps{
		Outdir:         jsii.String(outdir),
		YamlOutputType: cdk8s.YamlOutputType_FILE_PER_CHART,
	})

	// The platform: namespace, CRD, operator.
	platform := cdk8s.NewChart(app, jsii.String("platform"), nil)
	cdk8sagents.NewAgentNamespace(platform, jsii.String("agents-namespace"), &cdk8sagents.AgentNamespaceProps{
		Name: jsii.String("agents"),
	})
	crd := cdk8sagents.NewAgentTypeCrd(platform, jsii.String("crd"), nil)
	cdk8sagents.NewAgentOperator(platform, jsii.String("operator"), &cdk8sagents.AgentOperatorProps{
		Image:           jsii.String("registry.example.com/agents/agent-operator:0.1.0"),
		Crd:             crd,
		WatchNamespaces: jsii.Strings("agents"),
	})

	agents := cdk8s.NewChart(app, jsii.String("agents"), &cdk8s.ChartProps{Namespace: jsii.String("agents")})
	agents.AddDependency(platform)

	// A plain image.
	cdk8sagents.NewAgentPod(agents, jsii.String("basic-agent"), &cdk8sagents.AgentPodProps{
		Source: cdk8sagents.AgentSource_Image(jsii.String("nginx:1.27.3"), &cdk8sagents.ImageSourceOptions{
			Command: jsii.Strings("nginx", "-g", "daemon off;"),
		}),
	})

	// Code from git, a Python SDK, glue code and a variable from a Secret.
	environment := cdk8sagents.NewAgentEnvironment(&cdk8sagents.AgentEnvironmentProps{
		Variables: &map[string]*string{"LOG_LEVEL": jsii.String("debug")},
		Sdk: &cdk8sagents.SdkOptions{
			Runtime:  cdk8sagents.AgentRuntime_PYTHON,
			Version:  jsii.String("3.12"),
			Packages: jsii.Strings("httpx", "pydantic"),
		},
		GlueCode: cdk8sagents.GlueCode_FromInline(jsii.String("glue.py"), jsii.String("def handler(event):\n    return event\n")),
	})
	environment.AddSecretVariable(jsii.String("API_KEY"), &cdk8sagents.SecretKeyReference{
		Name: jsii.String("code-agent-api"),
		Key:  jsii.String("api-key"),
	})
	cdk8sagents.NewAgentPod(agents, jsii.String("code-agent"), &cdk8sagents.AgentPodProps{
		Source: cdk8sagents.AgentSource_Code(&cdk8sagents.CodeSourceOptions{
			Source: cdk8sagents.CodeSource_Git(&cdk8sagents.GitSourceOptions{
				Repository: jsii.String("https://github.com/example/agent"),
				Path:       jsii.String("/src"),
				Revision:   jsii.String("v1.2.0"),
			}),
			Runtime: cdk8sagents.AgentRuntime_PYTHON,
			Version: jsii.String("3.12"),
		}),
		Environment: environment,
	})

	// The tool sidecar (LiteLLM's proxy) with a checked download and MCP servers.
	tools := cdk8sagents.NewToolSidecar(&cdk8sagents.ToolSidecarProps{
		Image:    cdk8sagents.ToolSidecar_LITELLM_IMAGE(),
		Required: jsii.Strings("python3"),
		Optional: jsii.Strings("kubectl"),
		Custom: &[]*cdk8sagents.CustomTool{{
			Name:    jsii.String("custom-tool"),
			Version: jsii.String("1.0"),
			Source:  jsii.String("https://example.com/tools/custom-tool"),
			Sha256:  jsii.String("5f0c7bcfc47b6a6c1d0b3f2a5e6d8c9b0a1f2e3d4c5b6a79887766554433221f"),
		}},
	})
	tools.AddMcpServer(cdk8sagents.McpServer_Remote(&cdk8sagents.McpRemoteServerOptions{
		Name: jsii.String("search"),
		Url:  jsii.String("https://mcp.example.com/mcp"),
		Headers: &map[string]*cdk8sagents.SecretKeyReference{
			"Authorization": {Name: jsii.String("search-mcp"), Key: jsii.String("authorization")},
		},
	}))
	tools.AddMcpServer(cdk8sagents.McpServer_Stdio(&cdk8sagents.McpStdioServerOptions{
		Name:    jsii.String("files"),
		Command: jsii.String("mcp-server-filesystem"),
		Args:    jsii.Strings("/shared"),
	}))
	cdk8sagents.NewAgentPod(agents, jsii.String("tooled-agent"), &cdk8sagents.AgentPodProps{
		Source: cdk8sagents.AgentSource_Image(jsii.String("registry.example.com/agents/base-agent:1.0.0"), &cdk8sagents.ImageSourceOptions{
			Command: jsii.Strings("/usr/local/bin/agent"),
		}),
		ToolSidecar: tools,
	})

	// Redis memory and two LLM providers (main, then fallback), also as an AgentType.
	full := cdk8sagents.NewAgentPod(agents, jsii.String("full-agent"), &cdk8sagents.AgentPodProps{
		Source: cdk8sagents.AgentSource_Image(jsii.String("registry.example.com/agents/advanced-agent:1.0.0"), &cdk8sagents.ImageSourceOptions{
			Command: jsii.Strings("/usr/local/bin/agent"),
		}),
		ToolSidecar: cdk8sagents.NewToolSidecar(&cdk8sagents.ToolSidecarProps{
			Image:    cdk8sagents.ToolSidecar_LITELLM_IMAGE(),
			Required: jsii.Strings("python3"),
		}),
		Memory: cdk8sagents.MemoryProfile_FromSize(jsii.String("1Gi"), cdk8sagents.MemoryBackend_Redis(&cdk8sagents.RedisBackendOptions{
			Address: jsii.String("redis.agents.svc:6379"),
		})),
		LlmProviders: &[]cdk8sagents.LlmProvider{
			cdk8sagents.LlmProvider_Anthropic(&cdk8sagents.LlmProviderOptions{
				Name:        jsii.String("main-llm"),
				Model:       jsii.String("claude-sonnet-4-5"),
				Credentials: &cdk8sagents.LlmCredentials{SecretName: jsii.String("anthropic-credentials")},
			}),
			cdk8sagents.LlmProvider_Openai(&cdk8sagents.LlmProviderOptions{
				Name:        jsii.String("backup-llm"),
				Model:       jsii.String("gpt-4o"),
				Credentials: &cdk8sagents.LlmCredentials{SecretName: jsii.String("openai-credentials")},
			}),
		},
		Scaling: &cdk8sagents.AgentScaling{
			MinReplicas:    jsii.Number(2),
			MaxReplicas:    jsii.Number(5),
			CpuUtilization: jsii.Number(80),
		},
	})
	cdk8sagents.NewAgentType(agents, jsii.String("full-agent-type"), &cdk8sagents.AgentTypeProps{
		Metadata: &cdk8s.ApiObjectMetadata{Name: jsii.String("full-agent")},
		Spec:     full.ToAgentTypeSpec(),
		Crd:      crd,
	})

	// dev and prod; prod pins every image to a digest (placeholders here).
	digest := func(n int) *string {
		return jsii.String("sha256:" + strings.Repeat(strconv.Itoa(n), 64))
	}
	overlays := []cdk8sagents.Overlay{
		cdk8sagents.NewOverlay(&cdk8sagents.OverlayProps{
			Name: jsii.String("dev"),
			Components: &[]cdk8sagents.OverlayComponent{
				cdk8sagents.EnvironmentPreset_Dev(nil),
				cdk8sagents.FeaturePreset_ToolsComplete(nil),
				cdk8sagents.FeaturePreset_ApisDevelopment(nil),
			},
		}),
		cdk8sagents.NewOverlay(&cdk8sagents.OverlayProps{
			Name:       jsii.String("prod"),
			NamePrefix: jsii.String("prod-"),
			Components: &[]cdk8sagents.OverlayComponent{
				cdk8sagents.EnvironmentPreset_Prod(nil),
				cdk8sagents.FeaturePreset_MemoryLarge(nil),
				cdk8sagents.FeaturePreset_ApisProduction(nil),
			},
			Images: &[]*cdk8sagents.ImageOverride{
				{Name: jsii.String("nginx"), Digest: digest(1)},
				{Name: jsii.String("python"), Digest: digest(2)},
				{Name: jsii.String("busybox"), Digest: digest(3)},
				{Name: jsii.String("ghcr.io/berriai/litellm"), Digest: digest(4)},
				{Name: jsii.String("registry.example.com/agents/agent-operator"), Digest: digest(5)},
				{Name: jsii.String("registry.example.com/agents/base-agent"), Digest: digest(6)},
				{Name: jsii.String("registry.example.com/agents/advanced-agent"), Digest: digest(7)},
			},
			Replicas: &[]*cdk8sagents.ReplicaOverride{{Name: jsii.String("basic-agent"), Count: jsii.Number(3)}},
			Patches: &[]cdk8sagents.Patch{
				cdk8sagents.Patch_Json6902(
					&cdk8sagents.PatchTarget{Kind: jsii.String("HorizontalPodAutoscaler"), Name: jsii.String("full-agent")},
					cdk8s.JsonPatch_Replace(jsii.String("/spec/maxReplicas"), 10),
				),
				cdk8sagents.Patch_StrategicMerge(map[string]interface{}{
					"apiVersion": "apps/v1",
					"kind":       "Deployment",
					"metadata":   map[string]interface{}{"name": "full-agent", "namespace": "agents"},
					"spec": map[string]interface{}{
						"template": map[string]interface{}{
							"spec": map[string]interface{}{"terminationGracePeriodSeconds": 90},
						},
					},
				}, nil),
			},
		}),
	}

	app.Synth()
	cdk8sagents.Overlay_Synth(app, &overlays, &cdk8sagents.OverlaySynthOptions{
		KustomizeOutdir: jsii.String(filepath.Join(outdir, "kustomize")),
	})
}
