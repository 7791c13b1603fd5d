// How many modal dialogs are open, so the error banner can show inside the dialog the cashier is
// looking at instead of behind it.
export const modals = $state({ open: 0 });
