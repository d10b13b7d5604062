// Copies the contract (<repo>/protos/docanalysis/v1/docanalysis.proto) into this package's proto/ folder, where
// the code generator and the runtime loader read it. A packed copy of the package already carries proto/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const rel = path.join('docanalysis', 'v1', 'docanalysis.proto');
const src = path.join(__dirname, '..', '..', '..', 'protos', rel);
const dest = path.join(__dirname, '..', 'proto', rel);
if (fs.existsSync(src)) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
} else if (!fs.existsSync(dest)) {
  console.error(`copy-proto: neither ${src} nor ${dest} exists`);
  process.exit(1);
}
