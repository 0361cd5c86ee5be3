import "highlight.js/styles/github-dark.css";
export {};
