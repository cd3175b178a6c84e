import { execFileSync } from 'node:child_process';

/** The suite tests the app as served: build it once, fresh, before any test runs. */
export default function setup() {
  execFileSync('npm', ['run', '--silent', 'build:admin'], { stdio: 'inherit' });
}
