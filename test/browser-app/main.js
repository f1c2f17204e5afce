// A page as an app would write it: import the library, load a saved model
// from the server, score rows. The browser test bundles it with Vite.
import { Detector } from 'imdad';
// The wasm backend is the fallback where WebGL is missing; its .wasm files are served under /wasm/.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

setWasmPaths('/wasm/');

async function run() {
  const backend = new URLSearchParams(location.search).get('backend') ?? 'auto';
  const rows = await (await fetch('/rows.json')).json();
  const detector = await Detector.load('/model', { backend });
  const scores = detector.score(rows);
  const result = { backend: detector.backend, scores: Array.from(scores), flagged: detector.predict(rows), radius: detector.radius };
  detector.dispose();
  return result;
}

run().then(
  (result) => {
    window.imdadResult = result;
    document.getElementById('result').textContent = JSON.stringify(result).slice(0, 500);
    document.body.dataset.state = 'done';
  },
  (error) => {
    window.imdadResult = { error: String((error && error.message) || error) };
    document.body.dataset.state = 'failed';
  },
);
