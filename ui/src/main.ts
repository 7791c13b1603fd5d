// Entry point: applies the till's zoom and layout, then mounts the till UI with the design system's
// stylesheet.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { display } from './lib/display.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// Before the first paint, so a till remembered at 200 % never flashes at 100 %.
display.start();

export default mount(App, { target });
