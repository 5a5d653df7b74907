// The admin console, served at /admin/: tenant administration for a tenant admin key, the tenant list for an operator key.
import { render } from 'preact';
import '../shared/theme.css';
import './admin.css';
import { session } from '../shared/session.js';
import { App } from './App.jsx';

session.use('admin');

render(<App />, document.getElementById('app'));
