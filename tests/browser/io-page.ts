// The browser I/O page (io.html): every row of io-checks.ts, run by check-page.ts.

import { runCheckPage } from './check-page';
import { ioChecks } from './io-checks';

runCheckPage(ioChecks, 'webgrad I/O checks');
