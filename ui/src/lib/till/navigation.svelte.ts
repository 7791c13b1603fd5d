// Which screen the till shows once someone is logged in.

/** The screens after login. */
export type Screen = 'order' | 'pay' | 'orders' | 'recent' | 'printers' | 'shifts' | 'sync';

export class Navigation {
  screen = $state<Screen>('order');
}
