// The browser thread page (threads.html): every row of thread-checks.ts, run by check-page.ts.

import { runCheckPage } from './check-page';
import { threadChecks } from './thread-checks';

runCheckPage(threadChecks, 'webgrad thread checks');
