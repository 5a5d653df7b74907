// The chat app, served at /.
import { render } from 'preact';
import '../shared/theme.css';
import './chat.css';
import { session } from '../shared/session.js';
import { App } from './App.jsx';

session.use('chat');

render(<App />, document.getElementById('app'));
