import { lockedPackages, parseRequirements, PIP_REQUIREMENTS_FILE } from './requirements';
import { LITELLM_IMAGE, LITELLM_VERSION } from '../../src/agent/gateway-version';
import { ImageReference } from '../../src/core/image-reference';

describe('the gateway release', () => {
  test('the lock installs the LiteLLM proxy of gateway-version.ts', () => {
    const litellm = lockedPackages().filter(p => p.name === 'litellm');
    expect(litellm).toHaveLength(1);
    expect(litellm[0].version).toBe(LITELLM_VERSION);
    expect(litellm[0].extras).toEqual(['proxy']);
  });

  test('the image is LiteLLM\'s own of that release', () => {
    const image = ImageReference.parse(LITELLM_IMAGE);
    expect(image.name).toBe('ghcr.io/berriai/litellm');
    expect(image.tag).toBe(`v${LITELLM_VERSION}`);
  });

  test('every locked package is pinned with hashes (what pip --require-hashes needs)', () => {
    const packages = lockedPackages();
    expect(packages.length).toBeGreaterThan(50);
    for (const p of packages) expect({ name: p.name, hashes: p.hashes.length > 0 }).toEqual({ name: p.name, hashes: true });
    // LiteLLM's proxy companions are pinned exactly by LiteLLM itself: they must be in the lock.
    expect(packages.map(p => p.name)).toEqual(expect.arrayContaining(['litellm-proxy-extras', 'litellm-enterprise', 'mcp', 'uvicorn']));
  });

  test('the pip that installs the lock is one release of pip, pinned with hashes, newer than Python 3.11\'s own 23.2', () => {
    const pip = lockedPackages(PIP_REQUIREMENTS_FILE);
    expect(pip.map(p => ({ name: p.name, extras: p.extras, hashes: p.hashes.length > 0 }))).toEqual([{ name: 'pip', extras: [], hashes: true }]);
    // pip 23.2 took httpx 0.29.0 for LiteLLM's `httpx[http2]>=0.28.0` beside the lock's `httpx[http2]==0.28.1`.
    const [major, minor] = pip[0].version.split('.').map(Number);
    expect(major * 100 + minor).toBeGreaterThan(2302);
  });

  test('the lock reader refuses what pip would not install with --require-hashes', () => {
    const hash = 'a'.repeat(64);
    expect(parseRequirements(`# c\nx[y,z]==1.0 \\\n    --hash=sha256:${hash}\n`)).toEqual([{ name: 'x', extras: ['y', 'z'], version: '1.0', hashes: [hash] }]);
    expect(() => parseRequirements('x>=1.0')).toThrow("'x>=1.0' is not pinned");
    expect(() => parseRequirements('x==1.0 --hash=md5:abc')).toThrow("x==1.0: '--hash=md5:abc' is not --hash=sha256");
  });
});
