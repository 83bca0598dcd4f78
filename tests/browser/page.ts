// The browser test page (index.html): every row of checks.ts on WebGPU, run by check-page.ts.

import { runCheckPage } from './check-page';
import { checks } from './checks';

runCheckPage(checks, 'webgrad browser checks');
