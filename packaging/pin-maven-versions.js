#!/usr/bin/env node
// Pins the dependency versions of Maven poms that jsii-pacmak generated:
// pacmak writes npm's ranges as Maven ranges (`^2.68.11` becomes
// `[2.68.11,3.0.0)`), and Maven resolves a range by fetching the pom of every
// version in it. The dependencies named on the command line get the version
// given (what node_modules holds); any other range gets its lower bound.
//
//   node pin-maven-versions.js groupId:artifactId=version... -- pom.xml...
//
// Exits 1 naming the pom and the dependency when a version stays unpinned.
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 || split === args.length - 1) {
  console.error('usage: pin-maven-versions.js groupId:artifactId=version... -- pom.xml...');
  process.exit(2);
}
const pins = new Map(args.slice(0, split).map((pin) => pin.split('=')));
const poms = args.slice(split + 1);

const DEPENDENCY = /<dependency>([\s\S]*?)<\/dependency>/g;
const field = (xml, name) => (xml.match(new RegExp(`<${name}>([^<]*)</${name}>`)) || [])[1];
const isRange = (version) => /^[[(]/.test(version);

for (const pom of poms) {
  const text = fs.readFileSync(pom, 'utf8').replace(DEPENDENCY, (block, body) => {
    const coordinates = `${field(body, 'groupId')}:${field(body, 'artifactId')}`;
    const version = field(body, 'version');
    let pinned = pins.get(coordinates);
    if (pinned === undefined && version !== undefined && isRange(version)) {
      pinned = version.slice(1).split(',')[0];
    }
    if (!pinned) {
      if (version === undefined || isRange(version)) {
        console.error(`pin-maven-versions: ${pom}: no version for ${coordinates} (${version})`);
        process.exit(1);
      }
      return block;
    }
    return block.replace(`<version>${version}</version>`, `<version>${pinned}</version>`);
  });
  fs.writeFileSync(pom, text);
}
