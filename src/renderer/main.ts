// The renderer's entry: one client for this window's transport, handed to the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { createClient } from './lib/client.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

export default mount(App, { target, props: { client: createClient() } });
