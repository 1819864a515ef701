/**
 * The LLM gateway the agent's sidecar runs: LiteLLM's proxy, at one pinned
 * release. The library's rendered `config.yaml` is tested against this exact
 * version (test/gateway/: the same release installed from PyPI by
 * test/gateway/requirements.txt, which a unit test keeps in step with this file).
 *
 * 1.108.x is LiteLLM's long-term-support line. 1.108.7 is the newest release
 * whose `litellm[proxy]` extra installs from PyPI on Python 3.11 with every
 * pinned companion package (`litellm-proxy-extras`, `litellm-enterprise`)
 * published; it serves `/v1/chat/completions`, `/v1/messages` and the MCP
 * gateway (`/mcp`).
 */

/** LiteLLM's release: the PyPI version of `litellm` (and its `[proxy]` extra). */
export const LITELLM_VERSION = '1.108.7';

/**
 * LiteLLM's official container image of that release (the image LiteLLM
 * publishes for each release, tagged `v<version>`), for the sidecar's
 * `image`. Its release notes give the tag.
 */
export const LITELLM_IMAGE = `ghcr.io/berriai/litellm:v${LITELLM_VERSION}`;
