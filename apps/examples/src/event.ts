// Tutorial section 5: Event. One child waits for the event; another waits at
// most two seconds, then sets it.
import { Process, isMain } from '@mp/core';
import { Event } from '@mp/sync';

// Python prints booleans as True/False.
const py = (flag: boolean): string => (flag ? 'True' : 'False');

// #region target
export function wait(event: Event): void {
  console.log('wait~~~');
  event.waitSync();
  console.log('event.is_set', py(event.isSet()));
}

export function waitTimeout(event: Event, t: number): void {
  console.log('timeout!!!');
  event.waitSync(t); // milliseconds: Python's event.wait(2)
  console.log('event.is_set', py(event.isSet()));
  event.set(); // set the flag to true
}
// #endregion target

if (isMain(import.meta)) {
  // #region main
  const event = new Event();
  console.log(py(event.isSet()));
  const t1 = new Process({ target: wait, args: [event] });
  t1.start();
  const t2 = new Process({ target: waitTimeout, args: [event, 2_000] });
  t2.start();
  console.log('set event');
  // #endregion main
}
