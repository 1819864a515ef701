#!/usr/bin/env bash
# Proves that the Python, Java and Go packages in dist-packages/ load: for each
# language, a fresh project made by install.sh runs a few lines that put an
# AgentNamespace in a cdk8s chart and print the app's YAML, which must hold
# the Namespace. That exercises our bindings, cdk8s's and cdk8s-plus-28's, and
# the jsii runtime starting node with the bundled npm package.
#
#   test/polyglot/smoke.sh [python] [java] [go]     (default: all three)
#
# Needs: `npx projen package` run first; the toolchains; the registries (a
# cold run downloads cdk8s from PyPI, Maven plugins, Go modules).
# Not part of `npx projen test` (yet). Exit status: 0 all loaded; 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(python java go)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

smoke_python() {
  "$here/install.sh" python "$1" >/dev/null
  "$1/.venv/bin/python" -c '
import cdk8s, cdk8s_agents
app = cdk8s.App()
cdk8s_agents.AgentNamespace(cdk8s.Chart(app, "smoke"), "ns", name="smoke-python")
print(app.synth_yaml())'
}

smoke_java() {
  local version
  version=$("$here/install.sh" java "$1" | tail -1)
  mkdir -p "$1/src/main/java/smoke"
  cat > "$1/src/main/java/smoke/Smoke.java" <<'EOF'
package smoke;

public final class Smoke {
  public static void main(final String[] args) {
    org.cdk8s.App app = new org.cdk8s.App();
    dev.cdk8sagents.AgentNamespace.Builder.create(new org.cdk8s.Chart(app, "smoke"), "ns").name("smoke-java").build();
    System.out.println(app.synthYaml());
  }
}
EOF
  cat > "$1/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>smoke</groupId>
  <artifactId>smoke</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>11</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.cdk8sagents</groupId>
      <artifactId>cdk8s-agents</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.11.0</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
  # exec:java runs the class in Maven's JVM with the project's classpath.
  (cd "$1" && mvn --batch-mode --quiet compile \
    org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.mainClass=smoke.Smoke)
}

smoke_go() {
  "$here/install.sh" go "$1" >/dev/null
  cat > "$1/main.go" <<'EOF'
package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-agents/cdk8s-agents-go/cdk8sagents"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func main() {
	app := cdk8s.NewApp(nil)
	cdk8sagents.NewAgentNamespace(cdk8s.NewChart(app, jsii.String("smoke"), nil), jsii.String("ns"),
		&cdk8sagents.AgentNamespaceProps{Name: jsii.String("smoke-go")})
	fmt.Println(*app.SynthYaml())
}
EOF
  (cd "$1" && export GOTOOLCHAIN=local GOFLAGS=-mod=mod && go mod tidy && go run .)
}

failed=()
for lang in "${langs[@]}"; do
  case "$lang" in
    python | java | go) ;;
    *)
      echo "usage: $0 [python] [java] [go]" >&2
      exit 2
      ;;
  esac
  start=$(date +%s)
  if output=$("smoke_$lang" "$work/$lang" 2>"$work/$lang.err") \
    && grep -q '^kind: Namespace$' <<<"$output" && grep -q "^  name: smoke-$lang\$" <<<"$output"; then
    echo "smoke ($lang): ok in $(($(date +%s) - start)) s" >&2
  else
    echo "smoke ($lang): FAILED after $(($(date +%s) - start)) s; output:" >&2
    echo "$output" | head -40 >&2
    tail -40 "$work/$lang.err" >&2
    failed+=("$lang")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "smoke: failed: ${failed[*]}" >&2; exit 1; }
