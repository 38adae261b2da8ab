// Side-effect imports of stylesheets, which Vite bundles into a CSS file.
declare module '*.css';
