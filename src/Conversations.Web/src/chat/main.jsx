// The chat app, served at /.
import { render } from 'preact';
import '../shared/theme.css';
import './chat.css';
import { App } from './App.jsx';

render(<App />, document.getElementById('app'));
