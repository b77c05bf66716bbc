// The "build": bundles src/ into dist/index.js and stamps the version.
const fs = require('fs');
const path = require('path');
const pkg = require('./package.json');
const lib = fs.readFileSync(path.join(__dirname, 'src/lib.js'), 'utf8');
const main = fs.readFileSync(path.join(__dirname, 'src/index.js'), 'utf8');
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
const bundle = `// built by build.js\nconst VERSION = ${JSON.stringify(pkg.version)};\n${lib}\n${main}`;
fs.writeFileSync(path.join(__dirname, 'dist/index.js'), bundle);
console.log('built dist/index.js');
