// How a benchmark page reports (bench/fit.ts): each row goes to
// `window.__results` for its runner (the browser-test harness protocol, which then waits for
// `window.__done`) and to the page's `#results` table for a person.

/** Starts the report of a page whose table rows are `cells(row)`. */
export function pageReport<R>(cells: (row: R) => readonly string[]): { add(row: R): void; finish(): void } {
  const page = window as unknown as { __results: R[]; __done: boolean };
  page.__results = [];
  page.__done = false;
  return {
    add(row) {
      page.__results.push(row);
      const tr = document.createElement('tr');
      for (const text of cells(row)) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      document.querySelector('#results tbody')?.append(tr);
    },
    finish() {
      const status = document.querySelector('#status');
      if (status) status.textContent = 'done.';
      page.__done = true;
    },
  };
}
