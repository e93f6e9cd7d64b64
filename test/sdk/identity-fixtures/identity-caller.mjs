// An SDK unit that calls demo.echo.v1.Echo every 100 ms through a client with
// its identity attached (unit.identityFor(audience).interceptor), logging
// "reply: TEXT" or "call failed: CODE DETAILS". Properties: `target` (service
// name to call, default "echo"), `audience` (default: target), `ttl_ms`
// (assertion lifetime, default the supervisor's), `identity` (false: send none).
import { sdk, echoService } from '../../fixtures/sdk-import.mjs';

const unit = sdk.connect();
const props = unit.properties();
const target = String(props.target ?? 'echo');
const audience = String(props.audience ?? target);
const id = unit.identityFor(audience, { ttlMs: Number(props.ttl_ms ?? 0) });
const client = unit.client(target, echoService(), props.identity === false ? {} : { interceptors: [id.interceptor] });
let ready = false;
await unit.serve();

function call() {
  client.Say({ text: 'ping' }, { deadline: Date.now() + 10_000, waitForReady: true }, (err, res) => {
    if (err) console.log(`call failed: ${err.code} ${err.details}`);
    else console.log(`reply: ${res.text}`);
    if (!ready) {
      ready = true;
      void unit.ready();
    }
    setTimeout(call, 100);
  });
}
call();
