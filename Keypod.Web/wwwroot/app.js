window.keypod = {
    copy: text => navigator.clipboard.writeText(text),
};
