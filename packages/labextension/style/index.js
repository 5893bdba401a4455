import '../../../style/index.css';
